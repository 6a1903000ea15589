"""The customers app's error codes and the errors that carry them."""

from enum import StrEnum

from core.errors import ConflictError, NotFoundError


class CustomerErrorCode(StrEnum):
    CUSTOMER_NOT_FOUND = "customer_not_found"
    PHONE_NUMBER_TAKEN = "phone_number_taken"


class CustomerNotFound(NotFoundError):
    code = CustomerErrorCode.CUSTOMER_NOT_FOUND

    def __init__(self, customer_id: int) -> None:
        super().__init__(f"No customer with id {customer_id}.")


class PhoneNumberTaken(ConflictError):
    code = CustomerErrorCode.PHONE_NUMBER_TAKEN

    def __init__(self, phone_number: int) -> None:
        super().__init__(
            f"Phone number {phone_number} is already registered.",
            fields={"phone_number": ["This phone number is already registered."]},
        )
