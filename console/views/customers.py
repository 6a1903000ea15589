"""Customers: the search, registering one, a customer's page, and a new application for them
(check eligibility, book the loan)."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from approvals.services import apply_for_loan
from console import charts
from console.decisions import FACTORS, decision_panel
from console.exports import CHUNK_ROWS, Column, Export, export_response
from console.forms import ApplicationForm, CustomerSearchForm, RegisterForm, id_in_query
from console.requests import HtmxHttpRequest
from console.roles import requires
from console.templatetags.figures import money
from console.views.submit import submit_once
from core import clock
from core.auth import who_asked
from customers.selectors import customer_with_phone, get_customer, search_customers
from customers.services import register_customer
from decisions.selectors import customer_file, decision_of, get_decision
from decisions.services import check_eligibility
from loans.collections import customer_arrears
from loans.follow_up import customer_follow_ups

CUSTOMERS_A_PAGE = 25
DECISIONS_A_PAGE = 10
# The newest notes and promises of the customer's loans; each loan's page lists all of its own.
FOLLOW_UPS_SHOWN = 10


@require_safe
@requires("customers")
def customers(request: HtmxHttpRequest) -> HttpResponse:
    return _customers_page(request, RegisterForm())


@require_POST
@requires("customers")
def register(request: HtmxHttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST)
    if form.is_valid():
        registration = form.declared.registration()

        def work() -> str:
            customer = register_customer(**registration)
            messages.success(request, f"{customer.name} is registered as customer {customer.pk}.")
            return reverse("console:customer", args=[customer.pk])

        submitted = submit_once(request, form, work)
        if submitted is not None:
            return submitted
    return _customers_page(request, form, status=400)


CUSTOMERS_EXPORT = Export(
    "customers",
    (
        Column("Customer", lambda customer: customer.pk),
        Column("First name", lambda customer: customer.first_name),
        Column("Last name", lambda customer: customer.last_name),
        Column("Phone number", lambda customer: customer.phone_number),
        Column("Age", lambda customer: customer.age),
        Column("Monthly salary", lambda customer: customer.monthly_salary),
        Column("Approved limit", lambda customer: customer.approved_limit),
    ),
)


@require_safe
@requires("customers")
def export_customers(request: HtmxHttpRequest, file_format: str) -> HttpResponseBase:
    """The customers the search finds (all of them for none), every page of them; a search
    that makes no sense is the list's page with its error (a 400), not every customer."""
    search = CustomerSearchForm(request.GET)
    if not search.is_valid():
        return customers(request)
    rows = search_customers(search.cleaned_data["q"]).iterator(chunk_size=CHUNK_ROWS)
    return export_response(CUSTOMERS_EXPORT, rows, file_format)


def _customers_page(
    request: HtmxHttpRequest, form: RegisterForm, status: int = 200
) -> HttpResponse:
    search = CustomerSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    page = Paginator(search_customers(query), CUSTOMERS_A_PAGE).get_page(request.GET.get("page"))
    context = {
        "search": search,
        "query": query,
        "page": page,
        "form": form,
        "duplicate": _registered_with_that_phone(form),
    }
    if request.htmx.target == "results":
        return render(request, "console/partials/customer_results.html", context)
    # A search that makes no sense is a 400 with its error, as on the other lists.
    status = status if search.is_valid() else 400
    return render(request, "console/customers.html", context, status=status)


def _registered_with_that_phone(form: RegisterForm) -> Any:
    """The customer who already has the phone number the form was refused for: linked beside
    the field, so the officer opens them instead of typing the person in again."""
    if form.declared is None or "phone_number" not in form.errors:
        return None
    return customer_with_phone(form.declared.phone_number)


@require_safe
@requires("customers")
def customer(request: HtmxHttpRequest, customer_id: int) -> HttpResponse:
    found = customer_file(customer_id, clock.today())
    profile, figures = found.profile, found.profile.figures
    decisions = Paginator(found.decisions, DECISIONS_A_PAGE).get_page(request.GET.get("page"))
    weights = profile.policy.score.weights
    context = {
        "customer": found.customer,
        "customer_since": found.customer_since,
        "arrears": customer_arrears(customer_id, clock.today()),
        "follow_ups": customer_follow_ups(customer_id, clock.today(), FOLLOW_UPS_SHOWN),
        "profile": profile,
        "loans": found.loans,
        "decisions": decisions,
        "limit_meter": charts.meter(
            "Approved limit used by current loans",
            figures.current_loans_amount,
            figures.approved_limit,
            money(figures.current_loans_amount),
            money(figures.approved_limit),
        ),
        "installments_meter": charts.meter(
            "Current installments against the share of salary they may take",
            figures.current_loans_installments,
            profile.installment_cap,
            money(figures.current_loans_installments),
            money(profile.installment_cap),
        ),
        "share_percent": profile.policy.max_emi_share_of_salary * 100,
        "score_chart": charts.bars(
            f"Credit score {profile.credit.score}: points per factor, out of its weight",
            [
                (FACTORS[factor], points, f"{money(points)} of {money(weights[factor])}")
                for factor, points in profile.credit.points.items()
            ],
            of=[weights[factor] for factor in profile.credit.points],
        ),
    }
    return render(request, "console/customer.html", context)


def _application_page(
    request: HtmxHttpRequest,
    customer_id: int,
    form: ApplicationForm,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    context = {
        "customer": get_customer(customer_id),
        "arrears": customer_arrears(customer_id, clock.today()),
        "form": form,
        **extra,
    }
    return render(request, "console/application.html", context, status=status)


@require_safe
@requires("customers")
def application(request: HtmxHttpRequest, customer_id: int) -> HttpResponse:
    """The form; with ?decision=ID (a refused booking sends the officer here) that decision."""
    record = decision_of(customer_id, id_in_query(request.GET, "decision"))
    if record is None:
        return _application_page(request, customer_id, ApplicationForm())
    asked = {"loan_amount": record.loan_amount, "interest_rate": record.interest_rate}
    form = ApplicationForm(initial={**asked, "tenure": record.tenure})
    return _application_page(request, customer_id, form, panel=decision_panel(record))


@require_POST
@requires("customers")
def check(request: HtmxHttpRequest, customer_id: int) -> HttpResponse:
    """Decide without booking: the decision is recorded, as check-eligibility records it."""
    form = ApplicationForm(request.POST, fixed={"customer_id": customer_id})
    if not form.is_valid():
        return _decided(request, customer_id, form, None, status=400)
    recorded = check_eligibility(
        customer_id,
        form.declared.loan_request(),
        as_of=clock.today(),
        requested_by=who_asked(request),
    )
    return _decided(request, customer_id, form, decision_panel(get_decision(recorded.decision_id)))


def _decided(
    request: HtmxHttpRequest,
    customer_id: int,
    form: ApplicationForm,
    panel: Any,
    status: int = 200,
) -> HttpResponse:
    if request.htmx:
        context = {"form": form, "panel": panel, "customer": get_customer(customer_id)}
        return render(request, "console/partials/application_result.html", context, status=status)
    return _application_page(request, customer_id, form, status=status, panel=panel)


@require_POST
@requires("customers")
def book(request: HtmxHttpRequest, customer_id: int) -> HttpResponse:
    """Decide and book as create-loan does, once per rendered form."""
    form = ApplicationForm(request.POST, fixed={"customer_id": customer_id})
    if form.is_valid():
        loan_request = form.declared.loan_request()

        def work() -> str:
            applied = apply_for_loan(
                customer_id, loan_request, as_of=clock.today(), requested_by=who_asked(request)
            )
            booking = applied.recorded
            if applied.approval_id is not None:
                messages.info(
                    request,
                    f"Referred for approval: a second person must approve it "
                    f"(approval {applied.approval_id}).",
                )
            if booking.loan_id is None:
                address = reverse("console:application", args=[customer_id])
                return f"{address}?decision={booking.decision_id}"
            messages.success(request, f"Loan {booking.loan_id} is booked.")
            return reverse("console:loan", args=[booking.loan_id])

        submitted = submit_once(request, form, work)
        if submitted is not None:
            return submitted
    return _application_page(request, customer_id, form, status=400)
