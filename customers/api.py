from decimal import Decimal
from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.schema import error_responses
from customers.models import LARGEST_PHONE_NUMBER, MAX_AGE, MIN_AGE, SMALLEST_PHONE_NUMBER
from customers.services import register_customer

MAX_MONTHLY_INCOME = 1_000_000_000


class RegisterInput(serializers.Serializer[Any]):
    first_name = serializers.CharField(max_length=100, trim_whitespace=True)
    last_name = serializers.CharField(max_length=100, trim_whitespace=True)
    age = serializers.IntegerField(min_value=MIN_AGE, max_value=MAX_AGE)
    monthly_income = serializers.IntegerField(min_value=1, max_value=MAX_MONTHLY_INCOME)
    phone_number = serializers.IntegerField(
        min_value=SMALLEST_PHONE_NUMBER,
        max_value=LARGEST_PHONE_NUMBER,
        error_messages={
            "min_value": "Must be a 10-digit number.",
            "max_value": "Must be a 10-digit number.",
        },
    )


class RegisterOutput(serializers.Serializer[Any]):
    customer_id = serializers.IntegerField(source="id")
    name = serializers.SerializerMethodField()
    age = serializers.IntegerField()
    monthly_income = serializers.DecimalField(
        source="monthly_salary", max_digits=14, decimal_places=2
    )
    approved_limit = serializers.DecimalField(max_digits=16, decimal_places=2)
    phone_number = serializers.IntegerField()

    def get_name(self, customer: Any) -> str:
        return f"{customer.first_name} {customer.last_name}"


class RegisterApi(APIView):
    @extend_schema(
        summary="Register a customer",
        description="The approved limit is 36 × monthly income, rounded to the nearest lakh.",
        request=RegisterInput,
        responses={201: RegisterOutput, **error_responses(400, 409)},
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
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        customer = register_customer(
            first_name=values["first_name"],
            last_name=values["last_name"],
            age=values["age"],
            monthly_income=Decimal(values["monthly_income"]),
            phone_number=values["phone_number"],
        )
        return Response(RegisterOutput(customer).data, status=status.HTTP_201_CREATED)
