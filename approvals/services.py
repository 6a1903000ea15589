"""Four eyes: the guarded actions asked for (a loan above the referral line, a policy's
activation), and a second person approving or rejecting them. Approving carries the action out
under the request's row lock, re-checked against the state at that moment, so however many
approve at once it is done once; a decided request never acts again."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from approvals.errors import ApprovalLapsed, ApprovalNotFound
from approvals.models import ApprovalKind, ApprovalRequest, ApprovalStatus
from approvals.permissions import refusal
from core import clock
from core.auth import Role, four_eyes_apply
from core.contract import InvalidInput
from credit.policy import LoanRequest
from decisions.services import RecordedDecision, create_loan, decide_referral
from policies.models import PolicyStatus, PolicyVersion
from policies.selectors import get_version, policy_version
from policies.services import activate

RATIONALE_REQUIRED = "A rationale is required: a second person approves the activation."


@dataclass(frozen=True)
class LoanApplication:
    """create-loan's answer: booked or refused (`recorded`), or referred (`approval_id`)."""

    recorded: RecordedDecision
    approval_id: int | None = None


def apply_for_loan(
    customer_id: int, request: LoanRequest, *, as_of: date, requested_by: str
) -> LoanApplication:
    """Decide (and book) as create-loan always has; an application above the referral line is
    left unbooked and filed for a second person's approval, in the same transaction."""
    with transaction.atomic():
        recorded = create_loan(customer_id, request, as_of=as_of, requested_by=requested_by)
        if not recorded.needs_approval:
            return LoanApplication(recorded)
        version = recorded.policy_version
        assert version is not None  # a referral always names the version that referred it
        line = policy_version(version).refer_above_amount
        approval = ApprovalRequest.objects.create(
            kind=ApprovalKind.LOAN_REFERRAL,
            inputs={
                "customer_id": customer_id,
                "loan_amount": str(request.amount),
                "interest_rate": str(request.interest_rate),
                "tenure": request.tenure,
            },
            reason=f"The amount {request.amount:.2f} is above policy version {version}'s "
            f"referral line ({line:.2f}).",
            maker=requested_by,
            customer_id=customer_id,
            decision_id=recorded.decision_id,
        )
        return LoanApplication(recorded, approval.pk)


@dataclass(frozen=True)
class Activation:
    """An activation asked for: done (`version`, four eyes off or already active) or waiting
    for a second person (`approval`)."""

    version: PolicyVersion
    approval: ApprovalRequest | None = None


def request_activation(version: int, *, rationale: str | None, requested_by: str) -> Activation:
    """Activate `version` at once when four eyes do not apply; otherwise file the activation,
    with its rationale (required) and the parameters it will activate, for another risk
    person. The active version answers as it is, as activating it always has."""
    if not four_eyes_apply(requested_by):
        return Activation(activate(version, activated_by=requested_by))
    row = get_version(version)
    if row.status == PolicyStatus.ACTIVE:
        return Activation(row)
    if rationale is None:
        raise InvalidInput({"rationale": [RATIONALE_REQUIRED]})
    approval = ApprovalRequest.objects.create(
        kind=ApprovalKind.POLICY_ACTIVATION,
        inputs={"version": version, "parameters": row.parameters},
        reason=rationale,
        maker=requested_by,
        policy=row,
    )
    return Activation(row, approval)


def _locked(approval_id: int) -> ApprovalRequest:
    found = ApprovalRequest.objects.select_for_update().filter(pk=approval_id).first()
    if found is None:
        raise ApprovalNotFound(approval_id)
    return found


def _may_decide(approval: ApprovalRequest, checker: str, roles: Iterable[Role]) -> None:
    refused = refusal(approval, checker, roles)
    if refused is not None:
        raise refused


def _lapse(code: str, message: str) -> tuple[ApprovalStatus, dict[str, Any]]:
    return ApprovalStatus.LAPSED, {"reasons": [{"code": code, "message": message}]}


def _book_referral(
    approval: ApprovalRequest, checker: str
) -> tuple[ApprovalStatus, dict[str, Any]]:
    inputs = approval.inputs
    recorded = decide_referral(
        inputs["customer_id"],
        LoanRequest(
            amount=Decimal(inputs["loan_amount"]),
            interest_rate=Decimal(inputs["interest_rate"]),
            tenure=inputs["tenure"],
        ),
        as_of=clock.today(),
        approved_by=checker,
    )
    decision = recorded.decision
    outcome = {
        "decision_id": recorded.decision_id,
        "loan_id": recorded.loan_id,
        "corrected_interest_rate": str(decision.corrected_interest_rate),
        "monthly_installment": str(decision.monthly_installment),
        "reasons": [reason.as_dict() for reason in decision.reasons],
    }
    booked = recorded.loan_id is not None
    return (ApprovalStatus.APPROVED if booked else ApprovalStatus.LAPSED), outcome


def _activate_policy(
    approval: ApprovalRequest, checker: str
) -> tuple[ApprovalStatus, dict[str, Any]]:
    version = approval.inputs["version"]
    # Every version's row, in activate's order: nothing changes them until this commits.
    rows = {row.pk: row for row in PolicyVersion.objects.select_for_update().order_by("pk")}
    target = rows[version]  # a version an approval refers to cannot be deleted (PROTECT)
    if target.status == PolicyStatus.ACTIVE:
        return _lapse("policy_already_active", f"Policy version {version} is active already.")
    if target.parameters != approval.inputs["parameters"]:
        return _lapse(
            "policy_changed",
            f"Policy version {version} was changed after its activation was asked for.",
        )
    activate(version, activated_by=checker)
    return ApprovalStatus.APPROVED, {"policy_version": version}


CARRY_OUT: dict[str, Callable[[ApprovalRequest, str], tuple[ApprovalStatus, dict[str, Any]]]] = {
    ApprovalKind.LOAN_REFERRAL: _book_referral,
    ApprovalKind.POLICY_ACTIVATION: _activate_policy,
}


def _decided(
    approval: ApprovalRequest,
    status: ApprovalStatus,
    *,
    checker: str,
    note: str,
    outcome: dict[str, Any] | None,
) -> ApprovalRequest:
    approval.status = status
    approval.checker = checker
    approval.note = note
    approval.outcome = outcome
    approval.decided_at = timezone.now()
    approval.save(update_fields=["status", "checker", "note", "outcome", "decided_at"])
    return approval


def approve(
    approval_id: int, *, checker: str, checker_roles: Iterable[Role], note: str = ""
) -> ApprovalRequest:
    """Carry the request out and close it as approved; when the action no longer holds, close
    it as lapsed with the reasons (committed) and raise ApprovalLapsed."""
    with transaction.atomic():
        approval = _locked(approval_id)
        _may_decide(approval, checker, checker_roles)
        status, outcome = CARRY_OUT[approval.kind](approval, checker)
        _decided(approval, status, checker=checker, note=note, outcome=outcome)
    if status == ApprovalStatus.LAPSED:
        raise ApprovalLapsed(approval_id, outcome["reasons"], outcome.get("decision_id"))
    return approval


def reject(
    approval_id: int, *, checker: str, checker_roles: Iterable[Role], reason: str
) -> ApprovalRequest:
    with transaction.atomic():
        approval = _locked(approval_id)
        _may_decide(approval, checker, checker_roles)
        return _decided(
            approval, ApprovalStatus.REJECTED, checker=checker, note=reason, outcome=None
        )
