"""The original loan endpoints: check-eligibility, create-loan, view-loan, view-loans."""

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated

from drf_spectacular.utils import OpenApiExample, extend_schema
from pydantic import Field, RootModel
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import clock
from core.auth import Role, who_asked
from core.contract import Amount, Day, Declaration, Money, WholeNumber, parse, respond
from core.idempotency import idempotent
from core.limits import LARGEST_ID
from core.schema import error_responses, query_parameters
from credit.limits import (
    AMOUNT_DIGITS,
    MAX_RATE,
    MAX_TENURE_MONTHS,
    MIN_RATE,
    MIN_TENURE_MONTHS,
    RATE_DIGITS,
)
from credit.policy import LoanRequest, Reason
from credit.scoring import Factor
from customers.errors import CustomerNotFound
from loans.errors import LoanNotFound
from loans.models import LoanStatus
from loans.selectors import customer_loans, loan_with_holder
from loans.services import RecordedDecision, check_eligibility, create_loan


class LoanApplicationInput(Declaration):
    customer_id: Annotated[int, WholeNumber(1, LARGEST_ID)]
    loan_amount: Annotated[Decimal, Amount(AMOUNT_DIGITS, gt=0)]
    interest_rate: Annotated[Decimal, Amount(RATE_DIGITS, ge=MIN_RATE, le=MAX_RATE)]
    tenure: Annotated[int, WholeNumber(MIN_TENURE_MONTHS, MAX_TENURE_MONTHS)]

    def loan_request(self) -> LoanRequest:
        return LoanRequest(
            amount=self.loan_amount, interest_rate=self.interest_rate, tenure=self.tenure
        )


class ReasonOutput(Declaration):
    code: str
    message: str


class ScoreBreakdownOutput(Declaration):
    """Points each factor earned; they add up to the score before it is rounded."""

    repayment_on_time: Money
    loans_taken: Money
    current_year_activity: Money
    approved_volume: Money

    @classmethod
    def of(cls, points: dict[Factor, Decimal] | dict[str, Decimal]) -> "ScoreBreakdownOutput":
        return cls.model_validate({str(factor): value for factor, value in points.items()})


DECISION_ID = Field(description="GET /decisions/{decision_id} shows it.")
MAX_ELIGIBLE_AMOUNT = Field(
    description="The largest amount, to the paisa, that passes every rule today at the "
    "corrected rate and the requested tenure (the borrowing capacity; it may exceed the amount "
    "asked for); null when no positive amount passes."
)
MIN_TENURE_MONTHS = Field(
    description="The shortest tenure (1-360 months) at which the requested amount passes every "
    "rule at the corrected rate; null when none does."
)


class EligibilityOutput(Declaration):
    customer_id: int
    approval: bool
    interest_rate: Money
    corrected_interest_rate: Money
    tenure: int
    monthly_installment: Money
    credit_score: int
    score_breakdown: ScoreBreakdownOutput
    reasons: list[ReasonOutput]
    decision_id: int = DECISION_ID
    max_eligible_amount: Money | None = MAX_ELIGIBLE_AMOUNT
    min_tenure_months: int | None = MIN_TENURE_MONTHS

    @classmethod
    def of(cls, customer_id: int, recorded: RecordedDecision) -> "EligibilityOutput":
        decision = recorded.decision
        return cls(
            customer_id=customer_id,
            approval=decision.approved,
            interest_rate=decision.request.interest_rate,
            corrected_interest_rate=decision.corrected_interest_rate,
            tenure=decision.request.tenure,
            monthly_installment=decision.monthly_installment,
            credit_score=decision.credit.score,
            score_breakdown=ScoreBreakdownOutput.of(decision.credit.points),
            reasons=[ReasonOutput.model_validate(reason.as_dict()) for reason in decision.reasons],
            decision_id=recorded.decision_id,
            max_eligible_amount=decision.max_eligible_amount,
            min_tenure_months=decision.min_tenure_months,
        )


class CreateLoanOutput(Declaration):
    loan_id: int | None = Field(description="Null when not approved.")
    customer_id: int
    loan_approved: bool
    message: str
    monthly_installment: Money
    decision_id: int = DECISION_ID
    max_eligible_amount: Money | None = MAX_ELIGIBLE_AMOUNT
    min_tenure_months: int | None = MIN_TENURE_MONTHS

    @classmethod
    def of(cls, customer_id: int, booking: RecordedDecision) -> "CreateLoanOutput":
        decision = booking.decision
        return cls(
            loan_id=booking.loan_id,
            customer_id=customer_id,
            loan_approved=decision.approved,
            message=_booking_message(booking.loan_id, decision.reasons),
            monthly_installment=decision.monthly_installment,
            decision_id=booking.decision_id,
            max_eligible_amount=decision.max_eligible_amount,
            min_tenure_months=decision.min_tenure_months,
        )


def _booking_message(loan_id: int | None, reasons: tuple[Reason, ...]) -> str:
    if loan_id is not None:
        return "Loan approved."
    return "Loan not approved: " + " ".join(reason.message for reason in reasons)


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
    roles = (Role.OFFICER,)

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
    roles = (Role.OFFICER,)

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


class LoanCustomerOutput(Declaration):
    id: int
    first_name: str
    last_name: str
    phone_number: int
    age: int


class LoanSummaryOutput(Declaration):
    """A loan in view-loans."""

    loan_id: int
    loan_amount: Money
    interest_rate: Money
    monthly_installment: Money
    tenure: int
    repayments_left: int
    status: LoanStatus
    start_date: Day
    end_date: Day
    days_past_due: int
    delinquency_bucket: str = Field(
        description="current, SMA-0 (1-30 days), SMA-1 (31-60), SMA-2 (61-90) or NPA (over 90)."
    )


class LoanSummaries(RootModel[list[LoanSummaryOutput]]):
    pass


class LoanDetailOutput(LoanSummaryOutput):
    """view-loan's body."""

    customer: LoanCustomerOutput


class ViewLoanApi(APIView):
    roles = (Role.OFFICER,)
    replica_reads = True  # its GET may read a replica (core.replica)

    @extend_schema(
        summary="One loan with its customer",
        responses={200: LoanDetailOutput, **error_responses(404, examples=(LoanNotFound(42),))},
    )
    def get(self, request: Request, loan_id: int) -> Response:
        return respond(LoanDetailOutput, loan_with_holder(loan_id, clock.today()))


class ViewLoansQuery(Declaration):
    status: LoanStatus | None = None


class ViewCustomerLoansApi(APIView):
    roles = (Role.OFFICER,)
    replica_reads = True  # its GET may read a replica (core.replica)

    @extend_schema(
        summary="A customer's loans, oldest first",
        parameters=query_parameters(ViewLoansQuery),
        responses={
            200: LoanSummaries,
            **error_responses(400, 404, examples=(CustomerNotFound(42),)),
        },
    )
    def get(self, request: Request, customer_id: int) -> Response:
        query = parse(ViewLoansQuery, request.query_params)
        loans = customer_loans(customer_id, as_of=clock.today(), status=query.status)
        return respond(LoanSummaries, loans)
