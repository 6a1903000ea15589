"""What registration takes and answers, for the API and the console alike."""

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema

from core.contract import Declaration, Messages, Money, Text, WholeNumber
from customers.limits import (
    LARGEST_PHONE_NUMBER,
    MAX_AGE,
    MAX_MONTHLY_SALARY,
    MAX_NAME_LENGTH,
    MIN_AGE,
    SMALLEST_PHONE_NUMBER,
)
from customers.phones import TYPED_PHONE_PATTERN, typed_phone


class RegisterInput(Declaration):
    first_name: Annotated[str, Text(MAX_NAME_LENGTH)]
    last_name: Annotated[str, Text(MAX_NAME_LENGTH)]
    age: Annotated[int, WholeNumber(MIN_AGE, MAX_AGE)]
    monthly_income: Annotated[int, WholeNumber(1, MAX_MONTHLY_SALARY)]
    # A number as ever; text as people type it too ("+91 98450 12345"). The last before-
    # validator runs first: the typed text becomes digits, which WholeNumber then reads. The
    # document says both (the last schema given is the one it shows).
    phone_number: Annotated[
        int,
        WholeNumber(SMALLEST_PHONE_NUMBER, LARGEST_PHONE_NUMBER),
        Messages(out_of_range="Must be a 10-digit number."),
        BeforeValidator(typed_phone),
        WithJsonSchema(
            {
                "anyOf": [
                    {
                        "type": "integer",
                        "minimum": SMALLEST_PHONE_NUMBER,
                        "maximum": LARGEST_PHONE_NUMBER,
                    },
                    {"type": "string", "pattern": TYPED_PHONE_PATTERN},
                ],
                "examples": [9845012345, "+91 98450 12345"],
            },
            mode="validation",
        ),
    ]

    def registration(self) -> dict[str, Any]:
        """The values as register_customer takes them."""
        return {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "age": self.age,
            "monthly_income": Decimal(self.monthly_income),
            "phone_number": self.phone_number,
        }


class RegisterOutput(Declaration):
    customer_id: int = Field(validation_alias="id")
    name: str
    age: int
    monthly_income: Money = Field(validation_alias="monthly_salary")
    approved_limit: Money
    phone_number: int
