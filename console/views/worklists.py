"""The officers' worklists: every loan (searched, filtered, by days past due) and collections
(the loans past due, most days past due first, with the amount overdue and the last note or
promise); each exports its filtered rows as CSV or Excel."""

from collections.abc import Iterable, Iterator
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_safe

from console.exports import CHUNK_ROWS, Column, Export, export_response
from console.forms import CollectionsFilterForm, LoanSearchForm
from console.requests import HtmxHttpRequest
from console.roles import requires
from core import clock
from loans.collections import Arrears, arrears_in_batches, arrears_of, past_due
from loans.follow_up import last_follow_ups
from loans.models import Loan
from loans.selectors import LoanView, loan_view
from loans.worklist import LoanFilter, every_row, loan_list

LOANS_A_PAGE = 25


def _loan_filter(form: LoanSearchForm) -> LoanFilter:
    """What the form asks for; a value that makes no sense (the form shows why) filters nothing."""
    if not form.is_valid():
        return LoanFilter()
    data = form.cleaned_data
    return LoanFilter(
        q=data["q"],
        status=data["status"] or None,
        bucket=data["bucket"] or None,
        sort=data["sort"] or None,
    )


def _query_without_page(request: HtmxHttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@require_safe
@requires("customers")
def loans(request: HtmxHttpRequest) -> HttpResponse:
    form = LoanSearchForm(request.GET)
    today = clock.today()
    rows = loan_list(_loan_filter(form), today)
    page = Paginator(rows, LOANS_A_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": [loan_view(loan, today) for loan in page.object_list],
        "query": _query_without_page(request),
    }
    if request.htmx.target == "results":
        return render(request, "console/partials/loan_results.html", context)
    return render(request, "console/loans.html", context, status=200 if form.is_valid() else 400)


LOANS_EXPORT = Export(
    "loans",
    (
        Column("Loan", lambda view: view.loan_id),
        Column("Customer", lambda view: view.customer.id),
        Column("First name", lambda view: view.customer.first_name),
        Column("Last name", lambda view: view.customer.last_name),
        Column("Phone number", lambda view: view.customer.phone_number),
        Column("Loan amount", lambda view: view.loan_amount),
        Column("Interest rate", lambda view: view.interest_rate),
        Column("Installment", lambda view: view.monthly_installment),
        Column("Tenure", lambda view: view.tenure),
        Column("Start date", lambda view: view.start_date),
        Column("End date", lambda view: view.end_date),
        Column("Status", lambda view: view.status),
        Column("Repayments left", lambda view: view.repayments_left),
        Column("Days past due", lambda view: view.days_past_due),
        Column("Bucket", lambda view: view.bucket_shown),
    ),
)


@require_safe
@requires("customers")
def export_loans(request: HtmxHttpRequest, file_format: str) -> HttpResponseBase:
    """The loans the search and filters find, every page of them, in the list's order; a
    filter that makes no sense is the list's page with its error (a 400), not every loan."""
    form = LoanSearchForm(request.GET)
    if not form.is_valid():
        return loans(request)
    today = clock.today()
    found = loan_list(_loan_filter(form), today)
    return export_response(LOANS_EXPORT, _views(every_row(found, CHUNK_ROWS), today), file_format)


def _views(loans: Iterable[Loan], today: Any) -> Iterator[LoanView]:
    return (loan_view(loan, today) for loan in loans)


@require_safe
@requires("customers")
def collections(request: HtmxHttpRequest) -> HttpResponse:
    form = CollectionsFilterForm(request.GET)
    valid = form.is_valid()
    today = clock.today()
    page = Paginator(past_due(today, _bucket(form)), LOANS_A_PAGE).get_page(request.GET.get("page"))
    loans = list(page.object_list)
    last = last_follow_ups([loan.pk for loan in loans], today)
    context = {
        "form": form,
        "page": page,
        "rows": [(row, last.get(row.loan.loan_id)) for row in arrears_of(loans, today)],
        "query": _query_without_page(request),
    }
    return render(request, "console/collections.html", context, status=200 if valid else 400)


def _bucket(form: CollectionsFilterForm) -> str | None:
    return form.cleaned_data["bucket"] or None if form.is_valid() else None


COLLECTIONS_EXPORT = Export(
    "collections",
    (
        Column("Loan", lambda row: row.loan.loan_id),
        Column("Customer", lambda row: row.loan.customer.id),
        Column("First name", lambda row: row.loan.customer.first_name),
        Column("Last name", lambda row: row.loan.customer.last_name),
        Column("Phone number", lambda row: row.loan.customer.phone_number),
        Column("Days past due", lambda row: row.loan.days_past_due),
        Column("Bucket", lambda row: row.loan.delinquency_bucket),
        Column("Amount overdue", lambda row: row.amount_overdue),
        Column("Installment", lambda row: row.loan.monthly_installment),
    ),
)


@require_safe
@requires("customers")
def export_collections(request: HtmxHttpRequest, file_format: str) -> HttpResponseBase:
    """The loans past due in the chosen bucket, every page of them, with the amount overdue
    computed a chunk of loans at a time (one query for their payments per chunk); a bucket
    that makes no sense is the list's page with its error (a 400)."""
    form = CollectionsFilterForm(request.GET)
    if not form.is_valid():
        return collections(request)
    today = clock.today()
    loans = past_due(today, _bucket(form))
    rows: Iterator[Arrears] = arrears_in_batches(
        loans.iterator(chunk_size=CHUNK_ROWS), today, CHUNK_ROWS
    )
    return export_response(COLLECTIONS_EXPORT, rows, file_format)
