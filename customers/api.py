from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.contract import parse, respond
from core.schema import error_responses
from customers.contracts import RegisterInput, RegisterOutput
from customers.errors import PhoneNumberTaken
from customers.permissions import CUSTOMERS
from customers.services import register_customer


class RegisterApi(APIView):
    roles = CUSTOMERS

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
