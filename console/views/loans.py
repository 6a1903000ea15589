"""A loan: its terms and standing, the schedule, payments (recording one, its receipt, taking
one back), the payoff quote, the officer's notes and the borrower's promises to pay."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from console.forms import (
    DeclaredForm,
    NoteForm,
    PaymentForm,
    PayoffForm,
    PromiseForm,
    ReversalForm,
    attempt,
)
from console.requests import HtmxHttpRequest
from console.roles import may, requires
from console.templatetags.figures import day, rupees
from console.views.submit import submit_once
from core import clock
from core.auth import who_asked
from loans.follow_up import loan_follow_ups
from loans.models import LoanOrigin
from loans.services import add_note, record_payment, record_promise, reverse_payment
from loans.servicing import loan_account, payoff_on

# The notes and promises the loan page lists, newest first (the API pages through them all).
FOLLOW_UPS_SHOWN = 50


def new_payment_form() -> PaymentForm:
    """Paid on starts at today, as the hint says."""
    return PaymentForm(initial={"paid_on": clock.today().isoformat()})


def _loan_page(
    request: HtmxHttpRequest,
    loan_id: int,
    payment_form: PaymentForm,
    status: int = 200,
    payoff: tuple[PayoffForm, Any] | None = None,
    reversal: tuple[int, ReversalForm] | None = None,
    note_form: NoteForm | None = None,
    promise_form: PromiseForm | None = None,
) -> HttpResponse:
    """The loan page; `payoff` is a quote asked for (its form and answer), else today's."""
    today = clock.today()
    account = loan_account(loan_id, today)
    context = {
        "loan": account.loan,
        "serviced_here": account.payment_refusal is None,
        "imported": account.origin == LoanOrigin.IMPORTED,
        "schedule": account.schedule,
        "payments": account.payments,
        "payment_form": payment_form,
        "payoff_form": PayoffForm(initial={"on": today.isoformat()}),
        "quote": account.quote,
        "may_reverse": may(request.user, "reversals"),
        "reversal_form": ReversalForm(),
        "reversing": None,
        "note_form": note_form or NoteForm(),
        "promise_form": promise_form or PromiseForm(),
        "follow_ups": loan_follow_ups(loan_id, today, FOLLOW_UPS_SHOWN),
    }
    if reversal is not None:
        context["reversing"], context["reversal_form"] = reversal
    if payoff is not None:
        context["payoff_form"], context["quote"] = payoff
    return render(request, "console/loan.html", context, status=status)


@require_safe
@requires("customers")
def loan(request: HtmxHttpRequest, loan_id: int) -> HttpResponse:
    return _loan_page(request, loan_id, new_payment_form())


@require_POST
@requires("customers")
def pay(request: HtmxHttpRequest, loan_id: int) -> HttpResponse:
    """Record a payment as POST /loans/{id}/payments does, once per rendered form."""
    form = PaymentForm(request.POST)

    def write() -> str:
        payment, today = form.declared, clock.today()
        recorded = record_payment(
            loan_id,
            payment.amount,
            payment.paid_on or today,
            as_of=today,
            recorded_by=who_asked(request),
            mode=payment.mode or "",
            reference=payment.reference or "",
        )
        return f"Payment of {rupees(recorded.amount)} recorded."

    return _written(request, loan_id, form, write) or _loan_page(request, loan_id, form, status=400)


@require_POST
@requires("reversals")
def reverse_paid(request: HtmxHttpRequest, loan_id: int, payment_id: int) -> HttpResponse:
    """Take a payment back as POST /loans/{id}/payments/{payment_id}/reversal does."""
    form = ReversalForm(request.POST)

    def write() -> str:
        reason = form.declared.reason
        reverse_payment(loan_id, payment_id, reason=reason, reversed_by=who_asked(request))
        return f"Payment {payment_id} reversed; the schedule is restored."

    return _written(request, loan_id, form, write) or _loan_page(
        request, loan_id, new_payment_form(), status=400, reversal=(payment_id, form)
    )


@require_safe
@requires("customers")
def payoff(request: HtmxHttpRequest, loan_id: int) -> HttpResponse:
    """The payoff quote for the chosen day: an htmx fragment of the loan page, or, for a plain
    form submission (no script), the whole page with that quote."""
    form = PayoffForm(request.GET)
    today = clock.today()
    quote = None
    if form.is_valid():
        quote = attempt(form, lambda: payoff_on(loan_id, form.declared.on or today, as_of=today))
    status = 200 if quote else 400
    if not request.htmx:
        return _loan_page(request, loan_id, new_payment_form(), status, payoff=(form, quote))
    context = {"payoff_form": form, "quote": quote, "loan_id": loan_id}
    return render(request, "console/partials/payoff.html", context, status=status)


def _written(
    request: HtmxHttpRequest, loan_id: int, form: DeclaredForm, write: Callable[[], str]
) -> HttpResponse | None:
    """Do `write` (which returns the message to show) once for the form, then back to the loan;
    None when the form or the service refused, the reasons on the form."""
    if not form.is_valid():
        return None

    def work() -> str:
        messages.success(request, write())
        return reverse("console:loan", args=[loan_id])

    return submit_once(request, form, work)


@require_POST
@requires("customers")
def write_note(request: HtmxHttpRequest, loan_id: int) -> HttpResponse:
    """Add a note as POST /loans/{id}/notes does."""
    form = NoteForm(request.POST)

    def write() -> str:
        add_note(loan_id, form.declared.text, written_by=who_asked(request))
        return "Note added."

    written = _written(request, loan_id, form, write)
    return written or _loan_page(request, loan_id, new_payment_form(), 400, note_form=form)


@require_POST
@requires("customers")
def take_promise(request: HtmxHttpRequest, loan_id: int) -> HttpResponse:
    """Record a promise to pay as POST /loans/{id}/promises does."""
    form = PromiseForm(request.POST)

    def write() -> str:
        promise = form.declared
        record_promise(
            loan_id,
            promise.promised_on,
            promise.promised_amount,
            as_of=clock.today(),
            made_by=who_asked(request),
        )
        return (
            f"Promise of {rupees(promise.promised_amount)} by {day(promise.promised_on)} recorded."
        )

    written = _written(request, loan_id, form, write)
    return written or _loan_page(request, loan_id, new_payment_form(), 400, promise_form=form)
