"""The papers a borrower is handed, each a page to print (console/papers.css: A4, no navigation
or forms): the receipt of a payment."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from console.requests import HtmxHttpRequest
from console.roles import requires
from core import clock
from loans.servicing import payment_receipt


def _paper(request: HtmxHttpRequest, template: str, paper: object) -> HttpResponse:
    context = {"paper": paper, "lender": settings.LENDER_NAME, "today": clock.today()}
    return render(request, f"console/papers/{template}", context)


@require_safe
@requires("customers")
def receipt(request: HtmxHttpRequest, loan_id: int, payment_id: int) -> HttpResponse:
    return _paper(request, "receipt.html", payment_receipt(loan_id, payment_id, clock.today()))
