"""A loan: its terms and standing, the schedule, payments, recording one, the payoff quote."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from console.forms import PaymentForm, PayoffForm, attempt
from console.roles import requires
from console.templatetags.figures import money
from console.views.submit import submit_once
from core import clock
from loans.models import LoanOrigin, LoanStatus
from loans.selectors import get_loan, loan_with_holder, payments_of
from loans.services import record_payment
from loans.servicing import payoff_on, schedule_of


def _loan_page(
    request: HttpRequest,
    loan_id: int,
    payment_form: PaymentForm,
    status: int = 200,
    payoff: tuple[PayoffForm, Any] | None = None,
) -> HttpResponse:
    """The loan page; `payoff` is a quote asked for (its form and answer), else today's."""
    today = clock.today()
    view = loan_with_holder(loan_id, today)
    loan = get_loan(loan_id)
    context = {
        "loan": view,
        "serviced_here": loan.origin == LoanOrigin.BOOKED and loan.status != LoanStatus.CLOSED,
        "imported": loan.origin == LoanOrigin.IMPORTED,
        "schedule": schedule_of(loan_id, today),
        "payments": list(payments_of(loan_id)),
        "payment_form": payment_form,
    }
    if payoff is None:
        payoff = (
            PayoffForm(initial={"on": today.isoformat()}),
            payoff_on(loan_id, today, as_of=today),
        )
    context["payoff_form"], context["quote"] = payoff
    return render(request, "console/loan.html", context, status=status)


@requires("customers")
def loan(request: HttpRequest, loan_id: int) -> HttpResponse:
    return _loan_page(request, loan_id, PaymentForm())


@requires("customers")
def pay(request: HttpRequest, loan_id: int) -> HttpResponse:
    """Record a payment as POST /loans/{id}/payments does, once per rendered form."""
    form = PaymentForm(request.POST)
    if form.is_valid():
        payment = form.declared

        def work() -> str:
            today = clock.today()
            recorded = record_payment(
                loan_id, payment.amount, payment.paid_on or today, as_of=today
            )
            messages.success(request, f"Payment of ₹ {money(recorded.amount)} recorded.")
            return reverse("console:loan", args=[loan_id])

        submitted = submit_once(request, form, work)
        if submitted is not None:
            return submitted
    return _loan_page(request, loan_id, form, status=400)


@requires("customers")
def payoff(request: HttpRequest, loan_id: int) -> HttpResponse:
    """The payoff quote for the chosen day: an htmx fragment of the loan page, or, for a plain
    form submission (no script), the whole page with that quote."""
    form = PayoffForm(request.GET)
    today = clock.today()
    quote = None
    if form.is_valid():
        quote = attempt(form, lambda: payoff_on(loan_id, form.declared.on or today, as_of=today))
    if not request.htmx:  # type: ignore[attr-defined]
        return _loan_page(
            request, loan_id, PaymentForm(), 200 if quote else 400, payoff=(form, quote)
        )
    return render(
        request,
        "console/partials/payoff.html",
        {"payoff_form": form, "quote": quote, "loan_id": loan_id},
        status=200 if quote else 400,
    )
