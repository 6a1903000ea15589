"""Reads of approval requests: the queue, one request, and what a checker sees beside it."""

from dataclasses import dataclass

from django.db.models import QuerySet

from approvals.errors import ApprovalNotFound
from approvals.models import ApprovalKind, ApprovalRequest, ApprovalStatus
from decisions.models import PolicySimulation


def find_approvals(
    *, status: str | None = None, kind: str | None = None, maker: str | None = None
) -> QuerySet[ApprovalRequest]:
    """Oldest first, as a queue is worked through."""
    found = ApprovalRequest.objects.order_by("id")
    if status:
        found = found.filter(status=status)
    if kind:
        found = found.filter(kind=kind)
    if maker is not None:
        found = found.filter(maker=maker)
    return found


def approval_of_decision(decision_id: int) -> int | None:
    """The request a referred application's decision filed."""
    found = ApprovalRequest.objects.filter(decision_id=decision_id).values_list("pk", flat=True)
    return found.first()


def pending_count() -> int:
    return ApprovalRequest.objects.filter(status=ApprovalStatus.PENDING).count()


@dataclass(frozen=True)
class ApprovalView:
    """A request with what its checker weighs beside it: an activation's latest simulation of
    the version."""

    approval: ApprovalRequest
    latest_simulation: PolicySimulation | None


def view_of(approval: ApprovalRequest) -> ApprovalView:
    simulation = None
    if approval.kind == ApprovalKind.POLICY_ACTIVATION:
        simulation = (
            PolicySimulation.objects.filter(policy_id=approval.policy_id).order_by("-id").first()
        )
    return ApprovalView(approval, simulation)


def get_approval(approval_id: int) -> ApprovalView:
    found = ApprovalRequest.objects.filter(pk=approval_id).first()
    if found is None:
        raise ApprovalNotFound(approval_id)
    return view_of(found)
