"""Four eyes in the console: the Approvals queue (pending requests oldest first, with what a
checker weighs: the terms and the decision's figures, or the policy's changes and its latest
simulation), and Approve / Reject, through the same contracts and services as the API."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from approvals.contracts import ApproveInput, RejectInput
from approvals.errors import ApprovalLapsed
from approvals.models import ApprovalStatus
from approvals.permissions import CHECKERS
from approvals.selectors import ApprovalView, find_approvals, view_of
from approvals.services import approve, reject
from console.decisions import reasons_written
from console.requests import HtmxHttpRequest
from console.roles import requires, roles_of
from console.views.submit import SeeOther
from core.auth import role_allows
from core.contract import InvalidInput, parse
from core.errors import ApiError
from decisions.models import CreditDecision
from decisions.selectors import get_decision
from policies.selectors import Difference, active_version_id, differences, get_version

RECENTLY_DECIDED = 20


@dataclass(frozen=True)
class QueueItem:
    view: ApprovalView
    mine: bool
    may_decide: bool
    decision: CreditDecision | None
    changes: list[Difference]


def _item(view: ApprovalView, user: Any) -> QueueItem:
    approval = view.approval
    mine = bool(approval.maker) and approval.maker == user.get_username()
    allowed = role_allows(roles_of(user), CHECKERS[approval.kind])
    changes: list[Difference] = []
    if approval.policy is not None:  # an activation's version
        in_force = get_version(active_version_id())
        changes = [row for row in differences(in_force, approval.policy) if row.changed]
    return QueueItem(
        view=view,
        mine=mine,
        may_decide=allowed and not mine and approval.status == ApprovalStatus.PENDING,
        decision=approval.decision,
        changes=changes,
    )


def _queue(
    request: HtmxHttpRequest, errors: dict[int, str] | None = None, status: int = 200
) -> HttpResponse:
    related = ("decision", "policy")
    pending = find_approvals(status=ApprovalStatus.PENDING).select_related(*related)
    decided = (
        find_approvals()
        .exclude(status=ApprovalStatus.PENDING)
        .select_related(*related)
        .order_by("-decided_at", "-id")[:RECENTLY_DECIDED]
    )
    context = {
        "pending": [_item(view_of(row), request.user) for row in pending],
        "decided": [_item(view_of(row), request.user) for row in decided],
        "errors": errors or {},
    }
    return render(request, "console/approvals.html", context, status=status)


@require_safe
@requires("approvals")
def queue(request: HtmxHttpRequest) -> HttpResponse:
    return _queue(request)


def _lapse_written(lapsed: ApprovalLapsed) -> str:
    """A lapsed loan's reasons as the console writes them (₹ 88,848.79), from the decision that
    refused it; an activation's lapse names no figures."""
    if lapsed.decision_id is None:
        return lapsed.message
    why = " ".join(reasons_written(get_decision(lapsed.decision_id)))
    return ApprovalLapsed.sentence(lapsed.approval_id, why)


def _decide(request: HtmxHttpRequest, approval_id: int, action: Any, **inputs: Any) -> HttpResponse:
    """The service's refusal (the maker, a role, decided already, lapsed) is shown as a message
    on the queue; the request's own outcome is committed either way."""
    try:
        done = action(
            approval_id,
            checker=request.user.get_username(),
            checker_roles=roles_of(request.user),
            **inputs,
        )
    except ApprovalLapsed as lapsed:
        messages.error(request, _lapse_written(lapsed))
    except ApiError as refused:
        messages.error(request, refused.message)
    else:
        outcome = done.outcome or {}
        booked = f": loan {outcome['loan_id']} is booked" if outcome.get("loan_id") else ""
        messages.success(request, f"Approval request {approval_id} is {done.status}{booked}.")
    return SeeOther(reverse("console:approvals"))


@require_POST
@requires("approvals")
def approve_request(request: HtmxHttpRequest, approval_id: int) -> HttpResponse:
    try:
        body = parse(ApproveInput, {"note": request.POST.get("note", "").strip() or None})
    except InvalidInput as invalid:
        return _queue(request, {approval_id: " ".join(invalid.fields["note"])}, status=400)
    return _decide(request, approval_id, approve, note=body.note or "")


@require_POST
@requires("approvals")
def reject_request(request: HtmxHttpRequest, approval_id: int) -> HttpResponse:
    try:
        body = parse(RejectInput, {"reason": request.POST.get("reason", "")})
    except InvalidInput as invalid:
        return _queue(request, {approval_id: " ".join(invalid.fields["reason"])}, status=400)
    return _decide(request, approval_id, reject, reason=body.reason)
