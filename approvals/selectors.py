"""Reads of approval requests: the queue, one request, and what a checker sees beside it."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, QuerySet

from approvals.errors import ApprovalNotFound
from approvals.models import ApprovalKind, ApprovalRequest, ApprovalStatus
from approvals.permissions import is_maker, refusal
from core.auth import Role
from decisions.models import CreditDecision, PolicySimulation
from policies.models import PolicyVersion
from policies.selectors import Difference, active_version_id, differences, get_version


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


@dataclass(frozen=True)
class QueueItem:
    """A request as the queue shows it to one person: whether it is theirs, whether they may
    decide it, and an activation's parameters that differ from the version in force."""

    view: ApprovalView
    mine: bool
    may_decide: bool
    changes: list[Difference]

    @property
    def decision(self) -> CreditDecision | None:
        """A referral's decision: its terms and figures."""
        return self.view.approval.decision


@dataclass(frozen=True)
class ApprovalQueue:
    """The queue's page of pending requests (oldest first) and the latest decided."""

    page: Page[ApprovalRequest]
    pending: list[QueueItem]
    decided: list[QueueItem]


def approval_queue(
    *,
    person: str,
    roles: Iterable[Role],
    page_number: str | None,
    page_size: int,
    decided_shown: int,
) -> ApprovalQueue:
    """The queue as `person` sees it, in a fixed number of queries whatever its rows: the
    latest simulations of both lists in one, the version in force read once (and not at all
    without an activation among them)."""
    related = ("decision", "policy")
    pending = find_approvals(status=ApprovalStatus.PENDING).select_related(*related)
    page = Paginator(pending, page_size).get_page(page_number)
    shown = list(page.object_list)
    decided = list(
        find_approvals()
        .exclude(status=ApprovalStatus.PENDING)
        .select_related(*related)
        .order_by("-decided_at", "-id")[:decided_shown]
    )
    rows = shown + decided
    in_force = get_version(active_version_id()) if any(row.policy_id for row in rows) else None
    held = frozenset(roles)  # read for every row
    items = [_queue_item(view, person, held, in_force) for view in views_of(rows)]
    return ApprovalQueue(page, items[: len(shown)], items[len(shown) :])


def _queue_item(
    view: ApprovalView, person: str, roles: frozenset[Role], in_force: PolicyVersion | None
) -> QueueItem:
    approval = view.approval
    changes: list[Difference] = []
    if approval.policy is not None and in_force is not None:  # an activation's version
        changes = [row for row in differences(in_force, approval.policy) if row.changed]
    return QueueItem(
        view=view,
        mine=is_maker(approval, person),
        may_decide=refusal(approval, person, roles) is None,
        changes=changes,
    )
