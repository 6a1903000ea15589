from core.errors import ErrorCode, NotFoundError


class CustomerNotFound(NotFoundError):
    code = ErrorCode.CUSTOMER_NOT_FOUND


def not_found(customer_id: int) -> CustomerNotFound:
    return CustomerNotFound(f"No customer with id {customer_id}.")
