"""What the approval endpoints and the console's Approvals queue take and answer."""

from typing import Annotated, Any, Literal

from pydantic import Field

from approvals.models import ApprovalKind, ApprovalRequest, ApprovalStatus
from approvals.selectors import ApprovalView
from core.contract import Declaration, Text, Timestamp, WholeNumber
from core.jobs import JobStatus
from core.limits import LARGEST_ID
from core.pages import page_of
from decisions.contracts import CreateLoanOutput, SimulationReport
from decisions.models import PolicySimulation
from decisions.services import RecordedDecision
from decisions.simulations import tally_of

NOTE_LENGTH = 2000
Note = Annotated[str, Text(NOTE_LENGTH)]
APPROVALS_A_PAGE, MOST_APPROVALS_A_PAGE = 20, 100


class ApprovalFilter(Declaration):
    """Which requests a list (or its export) shows."""

    status: ApprovalStatus | None = None
    kind: ApprovalKind | None = None


class ApprovalQuery(ApprovalFilter):
    """The filter and the page, paged as the decisions list is."""

    page: Annotated[int, WholeNumber(1, LARGEST_ID)] = Field(
        default=1, description="Page number, from 1; past the last page, 404."
    )
    page_size: Annotated[int, WholeNumber(1, MOST_APPROVALS_A_PAGE)] = Field(
        default=APPROVALS_A_PAGE, description="Requests a page: 20, at most 100."
    )


class ApproveInput(Declaration):
    note: Note | None = Field(default=None, description="Why, if the checker says.")


class RejectInput(Declaration):
    reason: Note = Field(description="Why it is rejected (required).")


class ActivationInput(Declaration):
    rationale: Note | None = Field(
        default=None,
        description="Why this version should be in force; required when four eyes apply.",
    )


class ReasonedActivationInput(ActivationInput):
    """The activation where four eyes are switched on (the production profile): the document
    says what the service then asks of every identified caller, a rationale."""

    rationale: Note = Field(
        description="Why this version should be in force: the second risk person reads it."
    )


def activation_input(four_eyes: bool) -> type[ActivationInput]:
    """The one declaration a process parses and documents an activation with."""
    return ReasonedActivationInput if four_eyes else ActivationInput


class SimulationSummary(Declaration):
    simulation_id: int
    status: JobStatus
    stale: bool
    report: SimulationReport | None

    @classmethod
    def of(cls, simulation: PolicySimulation) -> "SimulationSummary":
        done = simulation.status == JobStatus.SUCCEEDED
        return cls.model_validate(
            {
                "simulation_id": simulation.pk,
                "status": simulation.status,
                "stale": simulation.stale,
                "report": tally_of(simulation).report() if done else None,
            }
        )


class ApprovalOutput(Declaration):
    approval_id: int
    kind: ApprovalKind
    status: ApprovalStatus
    inputs: dict[str, Any] = Field(description="The action's exact inputs, decimals as text.")
    reason: str = Field(description="Why it was asked for: the rationale, or the referral.")
    maker: str
    created_at: Timestamp
    checker: str
    note: str
    decided_at: Timestamp | None
    outcome: dict[str, Any] | None = Field(
        description="What approving did: the decision and loan, the reasons it lapsed, the "
        "version activated."
    )
    customer_id: int | None
    decision_id: int | None = Field(description="The referred application's decision.")
    policy_version: int | None
    latest_simulation: SimulationSummary | None = Field(
        description="An activation's: the version's latest simulation, if any."
    )

    @classmethod
    def of(cls, view: ApprovalView) -> "ApprovalOutput":
        approval: ApprovalRequest = view.approval
        simulation = view.latest_simulation
        return cls(
            approval_id=approval.pk,
            kind=ApprovalKind(approval.kind),
            status=ApprovalStatus(approval.status),
            inputs=approval.inputs,
            reason=approval.reason,
            maker=approval.maker,
            created_at=approval.created_at,
            checker=approval.checker,
            note=approval.note,
            decided_at=approval.decided_at,
            outcome=approval.outcome,
            customer_id=approval.customer_id,
            decision_id=approval.decision_id,
            policy_version=approval.policy_id,
            latest_simulation=SimulationSummary.of(simulation) if simulation else None,
        )


ApprovalList = page_of(ApprovalOutput, "ApprovalList")


class ReferredLoanOutput(CreateLoanOutput):
    """create-loan's 202: the application passes every rule but waits for a second person."""

    status: Literal["referred"] = "referred"
    approval_id: int = Field(description="GET /approvals/{approval_id} follows it.")

    @classmethod
    def of_referral(
        cls, customer_id: int, recorded: RecordedDecision, approval_id: int
    ) -> "ReferredLoanOutput":
        answered = CreateLoanOutput.of(customer_id, recorded).model_dump()
        return cls(
            **{
                **answered,
                "loan_approved": False,
                "message": f"Loan referred for approval: it passes every rule but is above the "
                f"policy's referral line, so a second person must approve it (approval "
                f"{approval_id}).",
                "approval_id": approval_id,
            }
        )
