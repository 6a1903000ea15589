from core.errors import ErrorCode, NotFoundError
from customers.models import Customer


class CustomerNotFound(NotFoundError):
    code = ErrorCode.CUSTOMER_NOT_FOUND


def not_found(customer_id: int) -> CustomerNotFound:
    return CustomerNotFound(f"No customer with id {customer_id}.")


def get_customer(customer_id: int) -> Customer:
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise not_found(customer_id)
    return customer
