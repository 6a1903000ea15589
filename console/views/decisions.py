"""The decision audit trail: a filtered list, and a decision's page with what it was made from,
its rules and reasons, and (for the risk role) its replay."""

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_safe

from console.decisions import decision_panel
from console.exports import CHUNK_ROWS, Column, Export, export_response
from console.forms import DecisionFilterForm, ReplayForm
from console.requests import HtmxHttpRequest
from console.roles import may, requires
from decisions.errors import NotReplayable
from decisions.models import CreditDecision
from decisions.replay import replay
from decisions.selectors import find_decisions, get_decision
from policies.selectors import versions

DECISIONS_A_PAGE = 25
FIGURES = {
    "monthly_salary": ("Monthly salary", True),
    "approved_limit": ("Approved limit", True),
    "installments_due": ("Installments due so far", False),
    "installments_paid_on_time": ("Installments paid on time", False),
    "completed_loans": ("Completed loans", False),
    "loans_started_this_year": ("Loans started this year", False),
    "current_loans_amount": ("Current loans' amounts", True),
    "current_loans_installments": ("Current loans' installments", True),
}


DECISIONS_EXPORT = Export(
    "decisions",
    (
        Column("Decision", lambda record: record.pk),
        Column("Recorded at", lambda record: record.created_at),
        Column("As of", lambda record: record.as_of),
        Column("Kind", lambda record: record.get_kind_display()),
        Column("Customer", lambda record: record.customer_id),
        Column("Outcome", lambda record: "approved" if record.approved else "refused"),
        Column("Credit score", lambda record: record.credit_score),
        Column("Loan amount", lambda record: record.loan_amount),
        Column("Asked rate", lambda record: record.interest_rate),
        Column("Corrected rate", lambda record: record.corrected_interest_rate),
        Column("Tenure", lambda record: record.tenure),
        Column("Monthly installment", lambda record: record.monthly_installment),
        Column("Loan", lambda record: record.loan_id),
        Column("Policy version", lambda record: record.policy_version_id),
        Column("Reasons", lambda record: " ".join(r["code"] for r in record.reasons)),
        Column("Asked by", lambda record: record.requested_by),
    ),
)


def _filtered(form: DecisionFilterForm) -> QuerySet[CreditDecision]:
    if not form.is_valid():
        return find_decisions()
    values = form.cleaned_data
    return find_decisions(
        customer_id=values["customer"],
        kind=values["kind"] or None,
        approved=form.approved(),
        since=values["since"],
        until=values["until"],
    )


@require_safe
@requires("decisions")
def decisions(request: HtmxHttpRequest) -> HttpResponse:
    form = DecisionFilterForm(request.GET)
    page = Paginator(_filtered(form), DECISIONS_A_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(
        request, "console/decisions.html", context, status=200 if form.is_valid() else 400
    )


@require_safe
@requires("decisions")
def export_decisions(request: HtmxHttpRequest, file_format: str) -> HttpResponseBase:
    """The decisions the filter finds, every page of them; a filter that makes no sense is
    the list's page with the error beside its field, not a file."""
    form = DecisionFilterForm(request.GET)
    if not form.is_valid():
        return decisions(request)
    rows = _filtered(form).iterator(chunk_size=CHUNK_ROWS)
    return export_response(DECISIONS_EXPORT, rows, file_format)


@require_safe
@requires("decisions")
def decision(request: HtmxHttpRequest, decision_id: int) -> HttpResponse:
    record = get_decision(decision_id)
    context: dict[str, Any] = {
        "panel": decision_panel(record),
        "figures": [
            (label, (record.figures or {}).get(name), is_money)
            for name, (label, is_money) in FIGURES.items()
        ]
        if record.figures
        else None,
    }
    if may(request.user, "replay"):
        context.update(_replayed(request, decision_id))
    return render(request, "console/decision.html", context)


def _replayed(request: HtmxHttpRequest, decision_id: int) -> dict[str, Any]:
    """The replay under the recorded version, or under the version the person chose (a
    what-if for this one case)."""
    form = ReplayForm(request.GET or None, versions=[row.version for row in versions()])
    chosen = form.cleaned_data["policy"] if form.is_valid() else None
    try:
        return {"replay": replay(decision_id, policy_version=chosen), "replay_form": form}
    except NotReplayable as refused:
        return {"not_replayable": refused.message, "replay_form": form}
