"""Deciding loan applications: check-eligibility and create-loan."""

from collections.abc import Callable

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import clock
from core.auth import who_asked
from core.contract import parse, respond
from core.idempotency import idempotent
from core.schema import error_responses
from customers.errors import CustomerNotFound
from decisions.contracts import CreateLoanOutput, EligibilityOutput, LoanApplicationInput
from decisions.permissions import APPLICATIONS
from decisions.services import RecordedDecision, check_eligibility, create_loan


def decide(
    request: Request, service: Callable[..., RecordedDecision]
) -> tuple[LoanApplicationInput, RecordedDecision]:
    """What check-eligibility and create-loan share: the application, decided by `service`."""
    application = parse(LoanApplicationInput, request.data)
    return application, service(
        application.customer_id,
        application.loan_request(),
        as_of=clock.today(),
        requested_by=who_asked(request),
    )


APPLICATION_EXAMPLE = OpenApiExample(
    "application",
    request_only=True,
    value={"customer_id": 1, "loan_amount": 200000, "interest_rate": 10.5, "tenure": 24},
)


class CheckEligibilityApi(APIView):
    roles = APPLICATIONS

    @extend_schema(
        summary="Decide a loan application without booking it",
        request=LoanApplicationInput,
        responses={
            200: EligibilityOutput,
            **error_responses(400, 404, examples=(CustomerNotFound(42),)),
        },
        examples=[
            APPLICATION_EXAMPLE,
            OpenApiExample(
                "approved",
                response_only=True,
                status_codes=["200"],
                value={
                    "customer_id": 1,
                    "approval": True,
                    "interest_rate": 10.50,
                    "corrected_interest_rate": 12.00,
                    "tenure": 24,
                    "monthly_installment": 9414.69,
                    "credit_score": 42,
                    "score_breakdown": {
                        "repayment_on_time": 30.00,
                        "loans_taken": 4.00,
                        "current_year_activity": 0.00,
                        "approved_volume": 8.00,
                    },
                    "reasons": [],
                    "decision_id": 5120,
                },
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        application, recorded = decide(request, check_eligibility)
        return respond(EligibilityOutput, EligibilityOutput.of(application.customer_id, recorded))


class CreateLoanApi(APIView):
    roles = APPLICATIONS

    @extend_schema(
        summary="Decide a loan application and book it when approved",
        request=LoanApplicationInput,
        responses={
            201: CreateLoanOutput,
            200: CreateLoanOutput,
            **error_responses(400, 404, 409, 422, examples=(CustomerNotFound(42),)),
        },
        examples=[
            APPLICATION_EXAMPLE,
            OpenApiExample(
                "booked",
                response_only=True,
                status_codes=["201"],
                value={
                    "loan_id": 783,
                    "customer_id": 1,
                    "loan_approved": True,
                    "message": "Loan approved.",
                    "monthly_installment": 9414.69,
                    "decision_id": 5121,
                },
            ),
        ],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        application, booking = decide(request, create_loan)
        booked = booking.loan_id is not None
        return respond(
            CreateLoanOutput,
            CreateLoanOutput.of(application.customer_id, booking),
            status.HTTP_201_CREATED if booked else status.HTTP_200_OK,
        )
