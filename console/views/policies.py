"""The credit policy's versions and their simulations, for the risk role: the list, a version,
two versions side by side, drafting and editing, activation behind a confirmation, and a
candidate simulated over past decisions with live progress and its report."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from approvals.services import request_activation
from console import charts
from console.forms import PolicyDraftForm, PolicyPairForm, SimulationForm, attempt, id_in_query
from console.requests import HtmxHttpRequest
from console.roles import requires
from console.templatetags.figures import count
from console.views.background import csv_download, live
from console.views.submit import SeeOther, require_form, submit_once
from core import clock
from core.auth import who_asked
from core.contract import InvalidInput
from core.errors import ConflictError
from core.jobs import JobStatus
from decisions.simulations import (
    FLIP_COLUMNS,
    default_window,
    flips_by_rule,
    flips_of,
    get_simulation,
    latest_simulations,
    start_simulation,
    tally_of,
)
from policies.models import PolicyStatus
from policies.selectors import (
    active_version_id,
    differences,
    get_version,
    versions,
    warnings_of,
)
from policies.services import create_draft, delete_draft, update_draft

SIMULATIONS_A_PAGE = 20


@require_safe
@requires("policies")
def policies(request: HtmxHttpRequest) -> HttpResponse:
    rows = list(versions())
    numbers = [row.version for row in rows]
    active = active_version_id()
    pair = PolicyPairForm(
        initial={"left": active, "right": numbers[0] if numbers else active}, versions=numbers
    )
    return render(request, "console/policies.html", {"versions": rows, "pair": pair})


@require_safe
@requires("policies")
def policy(request: HtmxHttpRequest, version: int) -> HttpResponse:
    row = get_version(version)
    return render(
        request,
        "console/policy.html",
        {
            "row": row,
            "parameters": differences(row, row),
            "warnings": warnings_of(row),
            "is_draft": row.status == PolicyStatus.DRAFT,
        },
    )


@require_safe
@requires("policies")
def compare(request: HtmxHttpRequest) -> HttpResponse:
    numbers = [row.version for row in versions()]
    pair = PolicyPairForm(request.GET, versions=numbers)
    context: dict[str, Any] = {"pair": pair, "rows": None}
    if pair.is_valid():
        left, right = (
            get_version(pair.cleaned_data["left"]),
            get_version(pair.cleaned_data["right"]),
        )
        context.update(
            rows=differences(left, right),
            left_title=f"Version {left.version}",
            right_title=f"Version {right.version}",
        )
    rows = context["rows"]
    return render(request, "console/compare.html", context, status=200 if rows is not None else 400)


def _draft_page(
    request: HtmxHttpRequest,
    form: PolicyDraftForm,
    base: Any,
    editing: Any = None,
    status: int = 200,
) -> HttpResponse:
    context = {"form": form, "base": base, "editing": editing}
    return render(request, "console/draft.html", context, status=status)


@require_form
@requires("policies")
def draft(request: HtmxHttpRequest) -> HttpResponse:
    """A new draft from a version (the active one unless ?based_on=N), every parameter shown."""
    chosen = id_in_query(request.POST, "based_on") or id_in_query(request.GET, "based_on")
    base = get_version(chosen or active_version_id())
    if request.method != "POST":
        initial = PolicyDraftForm.initial_from(base.parameters)
        return _draft_page(request, PolicyDraftForm(initial=initial, base=base.parameters), base)
    form = PolicyDraftForm(request.POST, fixed={"based_on": base.version}, base=base.parameters)
    if form.is_valid():

        def work() -> str:
            row = create_draft(
                changes=form.changes(), based_on=base.version, created_by=who_asked(request)
            )
            messages.success(request, f"Draft version {row.version} is saved.")
            return reverse("console:policy", args=[row.version])

        submitted = submit_once(request, form, work)
        if submitted is not None:
            return submitted
    return _draft_page(request, form, base, status=400)


@require_form
@requires("policies")
def edit(request: HtmxHttpRequest, version: int) -> HttpResponse:
    row = get_version(version)
    if request.method != "POST":
        initial = PolicyDraftForm.initial_from(row.parameters)
        form = PolicyDraftForm(initial=initial, base=row.parameters)
        return _draft_page(request, form, row.based_on, editing=row)
    form = PolicyDraftForm(request.POST, base=row.parameters)
    if (
        form.is_valid()
        and attempt(form, lambda: update_draft(version, changes=form.changes())) is not None
    ):
        messages.success(request, f"Draft version {version} is saved.")
        return SeeOther(reverse("console:policy", args=[version]))
    return _draft_page(request, form, row.based_on, editing=row, status=400)


@require_POST
@requires("policies")
def delete(request: HtmxHttpRequest, version: int) -> HttpResponse:
    """Delete a draft; a version that is not one, or that simulations refer to, stays, and
    its page says why."""
    try:
        delete_draft(version)
    except ConflictError as refused:
        messages.error(request, refused.message)
        return SeeOther(reverse("console:policy", args=[version]))
    messages.success(request, f"Draft version {version} is deleted.")
    return SeeOther(reverse("console:policies"))


@require_form
@requires("policies")
def activation(request: HtmxHttpRequest, version: int) -> HttpResponse:
    """GET: what activating would change, against the version in force; POST: activate."""
    row = get_version(version)
    rationale_error = ""
    if request.method == "POST":
        rationale = request.POST.get("rationale", "").strip() or None
        try:
            asked = request_activation(
                version, rationale=rationale, requested_by=who_asked(request)
            )
        except InvalidInput as missing:
            rationale_error = " ".join(missing.fields["rationale"])
        else:
            if asked.approval is not None:
                messages.info(
                    request,
                    f"Activation of version {version} awaits another risk person's approval "
                    f"(approval {asked.approval.pk}).",
                )
            else:
                messages.success(request, f"Version {version} is now the policy in force.")
            return SeeOther(reverse("console:policy", args=[version]))
    active = get_version(active_version_id())
    context = {
        "rationale_error": rationale_error,
        "row": row,
        "active": active,
        "rows": differences(active, row),
        "left_title": f"In force: version {active.version}",
        "right_title": f"Version {row.version}",
    }
    return render(request, "console/activate.html", context)


# --- Simulations ----------------------------------------------------------------------------


def _simulations_page(
    request: HtmxHttpRequest, form: SimulationForm, status: int = 200
) -> HttpResponse:
    page = Paginator(latest_simulations(), SIMULATIONS_A_PAGE).get_page(request.GET.get("page"))
    return render(request, "console/simulations.html", {"form": form, "page": page}, status=status)


def _simulation_form(request: HtmxHttpRequest) -> SimulationForm:
    numbers = [row.version for row in versions()]
    if request.method == "POST":
        return SimulationForm(request.POST, versions=numbers)
    date_from, date_to = default_window(clock.today())
    initial = {"policy": numbers[0] if numbers else None, "from": date_from, "to": date_to}
    return SimulationForm(initial=initial, versions=numbers)


@require_form
@requires("policies")
def simulations(request: HtmxHttpRequest) -> HttpResponse:
    form = _simulation_form(request)
    if request.method != "POST":
        return _simulations_page(request, form)
    if form.is_valid():
        asked = form.declared

        def work() -> str:
            get_version(asked.policy)
            simulation = start_simulation(
                policy_version=asked.policy,
                date_from=asked.date_from,
                date_to=asked.date_to,
                requested_by=who_asked(request),
            )
            return reverse("console:simulation", args=[simulation.pk])

        submitted = submit_once(request, form, work)
        if submitted is not None:
            return submitted
    return _simulations_page(request, form, status=400)


@require_safe
@requires("policies")
def simulation(request: HtmxHttpRequest, simulation_id: int) -> HttpResponse:
    found = get_simulation(simulation_id)
    context: dict[str, Any] = {"simulation": found}
    if found.status == JobStatus.SUCCEEDED:
        report = tally_of(found).report()
        context["report"] = report
        context["flips_by_rule"] = flips_by_rule(found, report)
        context["report_chart"] = charts.bars(
            "Decisions approved before and after the candidate",
            [
                ("Approved before", report["approved_before"], count(report["approved_before"])),
                ("Approved after", report["approved_after"], count(report["approved_after"])),
                (
                    "Approved → refused",
                    report["approved_to_refused"],
                    count(report["approved_to_refused"]),
                ),
                (
                    "Refused → approved",
                    report["refused_to_approved"],
                    count(report["refused_to_approved"]),
                ),
            ],
        )
    return render(request, "console/simulation.html", context)


@require_safe
@requires("policies")
def simulation_live(request: HtmxHttpRequest, simulation_id: int) -> HttpResponse:
    found = get_simulation(simulation_id)
    return live(request, "console/partials/simulation_progress.html", {"simulation": found}, found)


@require_safe
@requires("policies")
def simulation_flips(request: HtmxHttpRequest, simulation_id: int) -> StreamingHttpResponse:
    found = get_simulation(simulation_id)
    return csv_download(f"simulation-{found.pk}-flips.csv", FLIP_COLUMNS, flips_of(found))
