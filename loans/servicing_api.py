"""After booking: the repayment schedule, payments, the payoff quote."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import clock
from core.auth import who_asked
from core.contract import parse, respond
from core.idempotency import idempotent
from core.schema import error_responses, query_parameters
from loans.contracts import (
    PaymentEntries,
    PaymentEntryOutput,
    PaymentInput,
    PaymentOutput,
    PayoffOutput,
    PayoffQuery,
    ReversalInput,
    ScheduleOutput,
)
from loans.errors import (
    LoanClosed,
    LoanNotFound,
    PaymentAlreadyReversed,
    PaymentNotFound,
    PaymentReferenceTaken,
)
from loans.permissions import REVERSALS, SERVICING
from loans.services import record_payment, reverse_payment
from loans.servicing import payment_entries, payoff_on, schedule_of


class LoanScheduleApi(APIView):
    roles = SERVICING
    replica_reads = True  # its GET may read a replica (core.replica)

    @extend_schema(
        summary="Every installment of a loan: amounts, interest, principal, balance and status",
        responses={200: ScheduleOutput, **error_responses(404, examples=(LoanNotFound(42),))},
    )
    def get(self, request: Request, loan_id: int) -> Response:
        return respond(ScheduleOutput, schedule_of(loan_id, clock.today()))


class LoanPaymentsApi(APIView):
    roles = SERVICING

    @extend_schema(
        summary="Every payment of a loan in the order applied, reversed ones too",
        responses={200: PaymentEntries, **error_responses(404, examples=(LoanNotFound(42),))},
    )
    def get(self, request: Request, loan_id: int) -> Response:
        return respond(PaymentEntries, PaymentEntryOutput.of_each(payment_entries(loan_id)))

    @extend_schema(
        summary="Take a payment: it settles the oldest unpaid installment first",
        request=PaymentInput,
        responses={
            201: PaymentOutput,
            **error_responses(
                400,
                404,
                409,
                422,
                examples=(LoanNotFound(42), LoanClosed(42), PaymentReferenceTaken("upi", "UTR1")),
            ),
        },
        examples=[
            OpenApiExample("one installment", request_only=True, value={"amount": 8791.59}),
            OpenApiExample(
                "by UPI",
                request_only=True,
                value={"amount": 8791.59, "mode": "upi", "reference": "412345678901"},
            ),
        ],
    )
    @idempotent
    def post(self, request: Request, loan_id: int) -> Response:
        payment = parse(PaymentInput, request.data)
        today = clock.today()
        recorded = record_payment(
            loan_id,
            payment.amount,
            payment.paid_on or today,
            as_of=today,
            recorded_by=who_asked(request),
            mode=payment.mode or "",
            reference=payment.reference or "",
        )
        return respond(PaymentOutput, PaymentOutput.of(recorded, today), status.HTTP_201_CREATED)


class PaymentReversalApi(APIView):
    roles = REVERSALS

    @extend_schema(
        summary="Take a payment back (a bounced cheque): kept, marked reversed, the schedule "
        "restored as if it had not been paid",
        request=ReversalInput,
        responses={
            200: PaymentOutput,
            **error_responses(
                400,
                404,
                409,
                422,
                examples=(PaymentNotFound(42, 7), PaymentAlreadyReversed(7)),
            ),
        },
    )
    @idempotent
    def post(self, request: Request, loan_id: int, payment_id: int) -> Response:
        reversal = parse(ReversalInput, request.data)
        reversed_payment = reverse_payment(
            loan_id, payment_id, reason=reversal.reason, reversed_by=who_asked(request)
        )
        return respond(PaymentOutput, PaymentOutput.of(reversed_payment, clock.today()))


class LoanPayoffApi(APIView):
    roles = SERVICING
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
