"""After booking: the repayment schedule, payments, the payoff quote."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from drf_spectacular.utils import OpenApiExample, extend_schema
from pydantic import Field
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import clock
from core.auth import Role
from core.contract import Amount, CalendarDate, Day, Declaration, Money, parse, respond
from core.idempotency import idempotent
from core.schema import error_responses, query_parameters
from loans.errors import LoanClosed, LoanNotFound
from loans.limits import INSTALLMENT_DIGITS
from loans.models import LoanStatus, Payment
from loans.schedule import InstallmentStatus
from loans.selectors import payoff_on, schedule_of
from loans.services import record_payment
from loans.standing import standing_on


class InstallmentOutput(Declaration):
    number: int
    due_date: Day
    amount: Money
    interest: Money
    principal: Money
    balance: Money
    status: InstallmentStatus
    paid_on: Day | None = Field(
        description="Null while unpaid, and for loans from the history files."
    )


class ScheduleOutput(Declaration):
    loan_id: int
    days_past_due: int
    delinquency_bucket: str
    installments: list[InstallmentOutput]


class LoanScheduleApi(APIView):
    roles = (Role.OFFICER,)
    replica_reads = True  # its GET may read a replica (core.replica)

    @extend_schema(
        summary="Every installment of a loan: amounts, interest, principal, balance and status",
        responses={200: ScheduleOutput, **error_responses(404, examples=(LoanNotFound(42),))},
    )
    def get(self, request: Request, loan_id: int) -> Response:
        return respond(ScheduleOutput, schedule_of(loan_id, clock.today()))


class PaymentInput(Declaration):
    amount: Annotated[Decimal, Amount(INSTALLMENT_DIGITS, gt=0)]
    paid_on: CalendarDate | None = Field(default=None, description="Defaults to today.")


class PaymentOutput(Declaration):
    payment_id: int
    loan_id: int
    amount: Money
    paid_on: Day
    repayments_left: int
    loan_status: LoanStatus

    @classmethod
    def of(cls, payment: Payment, today: date) -> "PaymentOutput":
        where = standing_on(payment.loan, today)
        return cls(
            payment_id=payment.pk,
            loan_id=payment.loan_id,
            amount=payment.amount,
            paid_on=payment.paid_on,
            repayments_left=where.repayments_left,
            loan_status=LoanStatus(where.status),
        )


class LoanPaymentsApi(APIView):
    roles = (Role.OFFICER,)

    @extend_schema(
        summary="Take a payment: it settles the oldest unpaid installment first",
        request=PaymentInput,
        responses={
            201: PaymentOutput,
            **error_responses(400, 404, 409, 422, examples=(LoanNotFound(42), LoanClosed(42))),
        },
        examples=[
            OpenApiExample("one installment", request_only=True, value={"amount": 8791.59}),
        ],
    )
    @idempotent
    def post(self, request: Request, loan_id: int) -> Response:
        payment = parse(PaymentInput, request.data)
        today = clock.today()
        recorded = record_payment(loan_id, payment.amount, payment.paid_on or today, as_of=today)
        return respond(PaymentOutput, PaymentOutput.of(recorded, today), status.HTTP_201_CREATED)


class PayoffQuery(Declaration):
    on: CalendarDate | None = Field(default=None, description="Defaults to today.")


class PayoffOutput(Declaration):
    loan_id: int
    on: Day
    outstanding_principal: Money
    accrued_interest: Money
    total: Money = Field(description="Paying this on that date closes the loan.")


class LoanPayoffApi(APIView):
    roles = (Role.OFFICER,)
    replica_reads = True  # its GET may read a replica (core.replica)

    @extend_schema(
        summary="Foreclosure quote: what closes the loan on a given date",
        parameters=query_parameters(PayoffQuery),
        responses={
            200: PayoffOutput,
            **error_responses(400, 404, 409, examples=(LoanNotFound(42),)),
        },
    )
    def get(self, request: Request, loan_id: int) -> Response:
        query = parse(PayoffQuery, request.query_params)
        today = clock.today()
        return respond(PayoffOutput, payoff_on(loan_id, query.on or today, as_of=today))
