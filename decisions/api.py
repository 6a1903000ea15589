"""Deciding loan applications: check-eligibility (create-loan, which may refer a loan to a
second person, is approvals.api's)."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import clock
from core.auth import who_asked
from core.contract import parse, respond
from core.schema import error_responses
from customers.errors import CustomerNotFound
from decisions.contracts import EligibilityOutput, LoanApplicationInput
from decisions.permissions import APPLICATIONS
from decisions.services import check_eligibility

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
        application = parse(LoanApplicationInput, request.data)
        recorded = check_eligibility(
            application.customer_id,
            application.loan_request(),
            as_of=clock.today(),
            requested_by=who_asked(request),
        )
        return respond(EligibilityOutput, EligibilityOutput.of(application.customer_id, recorded))
