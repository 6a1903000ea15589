"""Four eyes in the console: the Approvals queue (pending requests oldest first, a page at a
time, with what a checker weighs: the terms and the decision's figures, or the policy's changes
and its latest simulation), Approve / Reject through the same contracts and services as the API,
and the requests exported as CSV or Excel."""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from approvals.contracts import ApprovalFilter, ApproveInput, RejectInput
from approvals.errors import ApprovalLapsed
from approvals.selectors import approval_queue, find_approvals
from approvals.services import approve, reject
from console.decisions import reasons_written
from console.exports import CHUNK_ROWS, Column, Export, export_response
from console.requests import HtmxHttpRequest
from console.roles import requires, roles_of
from console.views.submit import SeeOther
from core.contract import InvalidInput, parse
from core.errors import ApiError
from decisions.selectors import get_decision

APPROVALS_A_PAGE = 25
RECENTLY_DECIDED = 20

APPROVALS_EXPORT = Export(
    "approvals",
    (
        Column("Request", lambda row: row.pk),
        Column("Kind", lambda row: row.get_kind_display()),
        Column("Status", lambda row: row.get_status_display()),
        Column("Asked by", lambda row: row.maker),
        Column("Asked at", lambda row: row.created_at),
        Column("Why", lambda row: row.reason),
        Column("Customer", lambda row: row.customer_id),
        Column("Decision", lambda row: row.decision_id),
        Column("Loan amount", lambda row: row.inputs.get("loan_amount")),
        Column("Tenure", lambda row: row.inputs.get("tenure")),
        Column("Policy version", lambda row: row.policy_id),
        Column("Decided by", lambda row: row.checker),
        Column("Decided at", lambda row: row.decided_at),
        Column("Note", lambda row: row.note),
        Column("Loan booked", lambda row: (row.outcome or {}).get("loan_id")),
    ),
)


def _queue(
    request: HtmxHttpRequest, errors: dict[int, str] | None = None, status: int = 200
) -> HttpResponse:
    queue = approval_queue(
        person=request.user.get_username(),
        roles=roles_of(request.user),
        page_number=request.GET.get("page"),
        page_size=APPROVALS_A_PAGE,
        decided_shown=RECENTLY_DECIDED,
    )
    context = {
        "page": queue.page,
        "pending": queue.pending,
        "decided": queue.decided,
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


@require_safe
@requires("approvals")
def export_approvals(request: HtmxHttpRequest, file_format: str) -> HttpResponseBase:
    """Every request (?status= and ?kind= narrow them, as the API's list), oldest first; a
    filter that makes no sense is the queue with the field's error (a 400), not a file."""
    try:
        query = parse(ApprovalFilter, request.GET)
    except InvalidInput as invalid:
        for name, problems in invalid.fields.items():
            messages.error(request, f"Export not made: {name}: {' '.join(problems)}")
        return _queue(request, status=400)
    rows = find_approvals(status=query.status, kind=query.kind).iterator(chunk_size=CHUNK_ROWS)
    return export_response(APPROVALS_EXPORT, rows, file_format)


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
