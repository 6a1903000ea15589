"""Reads of approval requests: the queue, one request, and what a checker sees beside it."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

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
    return views_of([approval])[0]


def views_of(approvals: Iterable[ApprovalRequest]) -> list[ApprovalView]:
    """Each request with its latest simulation, read for a whole page in one query (none for
    a page without activations), never one per row."""
    approvals = list(approvals)
    versions = {row.policy_id for row in approvals if row.kind == ApprovalKind.POLICY_ACTIVATION}
    latest = _latest_simulations(versions) if versions else {}
    return [ApprovalView(row, latest.get(row.policy_id)) for row in approvals]


def _latest_simulations(versions: set[int | None]) -> dict[int | None, PolicySimulation]:
    later = PolicySimulation.objects.filter(policy_id=OuterRef("policy_id"), pk__gt=OuterRef("pk"))
    found = (
        PolicySimulation.objects.filter(policy_id__in=versions)
        .exclude(Exists(later))
        .select_related("policy")  # whether it is stale compares the two
    )
    return {simulation.policy_id: simulation for simulation in found}


def get_approval(approval_id: int) -> ApprovalView:
    found = ApprovalRequest.objects.filter(pk=approval_id).first()
    if found is None:
        raise ApprovalNotFound(approval_id)
    return view_of(found)
