"""The papers a borrower is handed, each a page to print (console/papers.css: A4, no navigation
or forms): the sanction letter, the statement, the schedule, and the receipt of a payment."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from console.requests import HtmxHttpRequest
from console.roles import requires
from core import clock
from decisions.selectors import booking_decision
from loans.papers import sanction_terms, statement_of
from loans.servicing import loan_account, payment_receipt


def _paper(request: HtmxHttpRequest, template: str, **paper: object) -> HttpResponse:
    context = {**paper, "lender": settings.LENDER_NAME, "today": clock.today()}
    return render(request, f"console/papers/{template}", context)


@require_safe
@requires("customers")
def receipt(request: HtmxHttpRequest, loan_id: int, payment_id: int) -> HttpResponse:
    paper = payment_receipt(loan_id, payment_id, clock.today())
    return _paper(request, "receipt.html", paper=paper)


@require_safe
@requires("customers")
def sanction_letter(request: HtmxHttpRequest, loan_id: int) -> HttpResponse:
    """The terms as sanctioned, with the decision that sanctioned them (none for a loan from the
    history files: the letter says so)."""
    terms = sanction_terms(loan_id, clock.today())
    return _paper(request, "sanction.html", paper=terms, decision=booking_decision(loan_id))


@require_safe
@requires("customers")
def statement(request: HtmxHttpRequest, loan_id: int) -> HttpResponse:
    return _paper(request, "statement.html", paper=statement_of(loan_id, clock.today()))


@require_safe
@requires("customers")
def schedule(request: HtmxHttpRequest, loan_id: int) -> HttpResponse:
    """The loan page's schedule on paper, read by the loan page's selector so the two agree."""
    account = loan_account(loan_id, clock.today())
    return _paper(request, "schedule.html", loan=account.loan, schedule=account.schedule)
