"""After booking: the repayment schedule, payments, the payoff quote."""

from datetime import date
from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import clock
from core.idempotency import idempotent
from core.schema import error_responses
from loans import schedule
from loans.api import two_places
from loans.models import LoanOrigin
from loans.selectors import (
    days_past_due,
    get_loan,
    loan_schedule,
    loan_servicing,
    repayments_left,
    status_on,
)
from loans.services import record_payment


class InstallmentOutput(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    due_date = serializers.DateField()
    amount = two_places()
    interest = two_places()
    principal = two_places()
    balance = two_places()
    status = serializers.ChoiceField(choices=[s.value for s in schedule.InstallmentStatus])
    paid_on = serializers.DateField(
        allow_null=True, help_text="Null while unpaid, and for loans from the history files."
    )


class ScheduleOutput(serializers.Serializer[Any]):
    loan_id = serializers.IntegerField()
    days_past_due = serializers.IntegerField()
    delinquency_bucket = serializers.CharField()
    installments = InstallmentOutput(many=True)


class LoanScheduleApi(APIView):
    @extend_schema(
        summary="Every installment of a loan: amounts, interest, principal, balance and status",
        responses={200: ScheduleOutput, **error_responses(404)},
    )
    def get(self, request: Request, loan_id: int) -> Response:
        loan = get_loan(loan_id)
        as_of = clock.today()
        rows = loan_schedule(loan)
        servicing = loan_servicing(loan, rows, as_of)
        statuses = schedule.installment_statuses(rows, servicing, as_of)
        paid_dates_known = loan.origin != LoanOrigin.IMPORTED
        overdue_days = days_past_due(loan, as_of)
        body = {
            "loan_id": loan.pk,
            "days_past_due": overdue_days,
            "delinquency_bucket": schedule.delinquency_bucket(overdue_days),
            "installments": [
                {
                    **row.__dict__,
                    "status": row_status,
                    "paid_on": paid_on if paid_dates_known else None,
                }
                for row, row_status, paid_on in zip(
                    rows, statuses, servicing.settled_on, strict=True
                )
            ],
        }
        return Response(ScheduleOutput(body).data)


class PaymentInput(serializers.Serializer[Any]):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    paid_on = serializers.DateField(required=False, help_text="Defaults to today.")

    def validate_amount(self, value: Any) -> Any:
        if value <= 0:
            raise serializers.ValidationError("Must be greater than 0.")
        return value


class PaymentOutput(serializers.Serializer[Any]):
    payment_id = serializers.IntegerField()
    loan_id = serializers.IntegerField()
    amount = two_places()
    paid_on = serializers.DateField()
    repayments_left = serializers.IntegerField()
    loan_status = serializers.CharField()


class LoanPaymentsApi(APIView):
    @extend_schema(
        summary="Take a payment: it settles the oldest unpaid installment first",
        request=PaymentInput,
        responses={201: PaymentOutput, **error_responses(400, 404, 409, 422)},
        examples=[
            OpenApiExample("one installment", request_only=True, value={"amount": 8791.59}),
        ],
    )
    @idempotent
    def post(self, request: Request, loan_id: int) -> Response:
        data = PaymentInput(data=request.data)
        data.is_valid(raise_exception=True)
        today = clock.today()
        payment = record_payment(
            loan_id,
            data.validated_data["amount"],
            data.validated_data.get("paid_on", today),
            as_of=today,
        )
        loan = payment.loan
        body = {
            "payment_id": payment.pk,
            "loan_id": loan.pk,
            "amount": payment.amount,
            "paid_on": payment.paid_on,
            "repayments_left": repayments_left(loan, today),
            "loan_status": status_on(loan, today),
        }
        return Response(PaymentOutput(body).data, status=status.HTTP_201_CREATED)


class PayoffQuery(serializers.Serializer[Any]):
    on = serializers.DateField(required=False, help_text="Defaults to today.")


class PayoffOutput(serializers.Serializer[Any]):
    loan_id = serializers.IntegerField()
    on = serializers.DateField()
    outstanding_principal = two_places()
    accrued_interest = two_places()
    total = two_places(help_text="Paying this on that date closes the loan.")


class LoanPayoffApi(APIView):
    @extend_schema(
        summary="Foreclosure quote: what closes the loan on a given date",
        parameters=[PayoffQuery],
        responses={200: PayoffOutput, **error_responses(400, 404)},
    )
    def get(self, request: Request, loan_id: int) -> Response:
        query = PayoffQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        loan = get_loan(loan_id)
        today = clock.today()
        on: date = query.validated_data.get("on", today)
        if on < loan.start_date:
            raise serializers.ValidationError(
                {"on": [f"Must not be before the loan's start ({loan.start_date})."]}
            )
        rows = loan_schedule(loan)
        quote = schedule.payoff_quote(
            rows, loan_servicing(loan, rows, min(on, today)), loan.start_date, on
        )
        body = {"loan_id": loan.pk, "on": on, **quote.__dict__}
        return Response(PayoffOutput(body).data)
