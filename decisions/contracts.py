"""What the decision endpoints and the console's decision pages take and answer: an application
in, a decision out; the audit trail, a replay, a simulation."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import Field, ValidationInfo, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from core.contract import (
    BETWEEN_FIELDS,
    Amount,
    CalendarDate,
    Day,
    Declaration,
    Money,
    Timestamp,
    WholeNumber,
)
from core.jobs import JobStatus
from core.limits import LARGEST_ID
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
from decisions.models import CreditDecision, DecisionKind, PolicySimulation
from decisions.services import RecordedDecision
from decisions.simulations import tally_of


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
    needs_approval: bool = Field(
        default=False,
        description="Approved, but above the policy's referral line: create-loan would refer "
        "it to a second person (four eyes) instead of booking it.",
    )

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
            needs_approval=recorded.needs_approval,
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


class DecisionInputsOutput(Declaration):
    loan_amount: Money
    interest_rate: Money
    tenure: int


class DecisionOutput(Declaration):
    decision_id: int
    customer_id: int
    kind: DecisionKind
    inputs: DecisionInputsOutput
    as_of: Day
    approved: bool
    credit_score: int
    score_breakdown: ScoreBreakdownOutput
    rules: dict[str, bool]
    reasons: list[ReasonOutput]
    corrected_interest_rate: Money
    monthly_installment: Money
    policy_version: int
    loan_id: int | None
    requested_by: str = Field(
        description="A key's name (or its fingerprint), a username; empty when open."
    )
    created_at: Timestamp

    @classmethod
    def of(cls, record: CreditDecision) -> "DecisionOutput":
        return cls(
            decision_id=record.pk,
            customer_id=record.customer_id,
            kind=DecisionKind(record.kind),
            inputs=DecisionInputsOutput.model_validate(record),
            as_of=record.as_of,
            approved=record.approved,
            credit_score=record.credit_score,
            # Stored as text, so no float ever holds the points.
            score_breakdown=ScoreBreakdownOutput.of(
                {factor: Decimal(points) for factor, points in record.score_breakdown.items()}
            ),
            rules=record.rules,
            reasons=record.reasons,
            corrected_interest_rate=record.corrected_interest_rate,
            monthly_installment=record.monthly_installment,
            policy_version=record.policy_version_id,
            loan_id=record.loan_id,
            requested_by=record.requested_by,
            created_at=record.created_at,
        )


class OutcomeOutput(Declaration):
    approval: bool
    credit_score: int
    corrected_interest_rate: Money
    monthly_installment: Money
    max_eligible_amount: Money | None
    reason_codes: list[str]


class ReplayOutput(Declaration):
    decision_id: int
    policy_version: int
    recorded: OutcomeOutput
    replayed: OutcomeOutput
    matches: bool = Field(description="Whether the replayed outcome is the recorded one.")


class ReplayQuery(Declaration):
    policy: Annotated[int, WholeNumber(1, LARGEST_ID)] | None = Field(
        default=None,
        description="Replay under this version instead of the one recorded (a what-if).",
    )


class SimulationInput(Declaration):
    policy: Annotated[int, WholeNumber(1, LARGEST_ID)] = Field(description="The candidate version.")
    date_from: CalendarDate = Field(alias="from")
    date_to: CalendarDate = Field(alias="to")

    @field_validator("date_to")
    @classmethod
    def not_before_from(cls, date_to: date, info: ValidationInfo) -> date:
        date_from = info.data.get("date_from")
        if date_from is not None and date_to < date_from:
            raise PydanticCustomError(
                BETWEEN_FIELDS,  # a rule no schema can state: 422 (core.contract)
                "Must not be before from ({date_from}).",
                {"date_from": str(date_from)},
            )
        return date_to


class SimulationAccepted(Declaration):
    simulation_id: int
    status: JobStatus
    status_url: Annotated[str, WithJsonSchema({"type": "string", "format": "uri"})]


class FlipCounts(Declaration):
    approved_to_refused: int
    refused_to_approved: int


class SimulationReport(Declaration):
    decisions: int
    approved_before: int
    approved_after: int
    approved_to_refused: int
    refused_to_approved: int
    flips_by_reason: dict[str, FlipCounts]
    flips_by_score_band: dict[str, FlipCounts] = Field(description="By the candidate's score.")
    approved_amount_before: Money
    approved_amount_after: Money
    average_corrected_rate_before: Money | None = Field(description="Over approved decisions.")
    average_corrected_rate_after: Money | None


class SimulationProgress(Declaration):
    processed: int
    total: int


class SimulationOutput(Declaration):
    simulation_id: int
    policy: int
    date_from: Day = Field(serialization_alias="from")
    date_to: Day = Field(serialization_alias="to")
    status: JobStatus
    progress: SimulationProgress
    report: SimulationReport | None = Field(description="When the simulation has succeeded.")
    flips_url: str | None = Field(description="A CSV of the decisions whose outcome flips.")
    stale: bool = Field(
        description="The version's parameters changed since the simulation was asked for (a "
        "draft edited since): the report is of the parameters it was asked for, not today's."
    )
    failure: str
    requested_by: str
    created_at: Timestamp
    started_at: Timestamp | None
    finished_at: Timestamp | None

    @classmethod
    def of(cls, simulation: PolicySimulation, flips_url: str) -> "SimulationOutput":
        done = simulation.status == JobStatus.SUCCEEDED
        return cls.model_validate(
            {
                "simulation_id": simulation.pk,
                "policy": simulation.policy_id,
                "date_from": simulation.date_from,
                "date_to": simulation.date_to,
                "status": simulation.status,
                "progress": {"processed": simulation.processed, "total": simulation.total},
                "report": tally_of(simulation).report() if done else None,
                "flips_url": flips_url if done else None,
                "stale": simulation.stale,
                "failure": simulation.failure,
                "requested_by": simulation.requested_by,
                "created_at": simulation.created_at,
                "started_at": simulation.started_at,
                "finished_at": simulation.finished_at,
            }
        )


DECISIONS_A_PAGE, MOST_DECISIONS_A_PAGE = 20, 100


class DecisionPageQuery(Declaration):
    """What the paginator reads, declared: anything else (`?page_size=null`) is a 400."""

    page: Annotated[int, WholeNumber(1, LARGEST_ID)] = Field(
        default=1, description="Page number, from 1; past the last page, 404."
    )
    page_size: Annotated[int, WholeNumber(1, MOST_DECISIONS_A_PAGE)] = Field(
        default=DECISIONS_A_PAGE, description="Decisions a page: 20, at most 100."
    )
