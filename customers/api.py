from decimal import Decimal
from typing import Annotated, Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from pydantic import Field
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.auth import Role
from core.contract import Declaration, Messages, Money, Text, WholeNumber, parse, respond
from core.schema import error_responses
from customers.errors import PhoneNumberTaken
from customers.limits import (
    LARGEST_PHONE_NUMBER,
    MAX_AGE,
    MAX_MONTHLY_SALARY,
    MAX_NAME_LENGTH,
    MIN_AGE,
    SMALLEST_PHONE_NUMBER,
)
from customers.services import register_customer


class RegisterInput(Declaration):
    first_name: Annotated[str, Text(MAX_NAME_LENGTH)]
    last_name: Annotated[str, Text(MAX_NAME_LENGTH)]
    age: Annotated[int, WholeNumber(MIN_AGE, MAX_AGE)]
    monthly_income: Annotated[int, WholeNumber(1, MAX_MONTHLY_SALARY)]
    phone_number: Annotated[
        int,
        WholeNumber(SMALLEST_PHONE_NUMBER, LARGEST_PHONE_NUMBER),
        Messages(out_of_range="Must be a 10-digit number."),
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


class RegisterApi(APIView):
    roles = (Role.OFFICER,)

    @extend_schema(
        summary="Register a customer",
        description="The approved limit is 36 × monthly income, rounded to the nearest lakh.",
        request=RegisterInput,
        responses={
            201: RegisterOutput,
            **error_responses(400, 409, examples=(PhoneNumberTaken(9876543210),)),
        },
        examples=[
            OpenApiExample(
                "customer",
                request_only=True,
                value={
                    "first_name": "Asha",
                    "last_name": "Rao",
                    "age": 31,
                    "monthly_income": 50000,
                    "phone_number": 9876543210,
                },
            ),
            OpenApiExample(
                "registered",
                response_only=True,
                status_codes=["201"],
                value={
                    "customer_id": 301,
                    "name": "Asha Rao",
                    "age": 31,
                    "monthly_income": 50000.00,
                    "approved_limit": 1800000.00,
                    "phone_number": 9876543210,
                },
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        customer = register_customer(**parse(RegisterInput, request.data).registration())
        return respond(RegisterOutput, customer, status.HTTP_201_CREATED)
