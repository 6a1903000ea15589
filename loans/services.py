"""Booking an approved loan, recording its payments, and an officer's notes and promises to pay."""

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from core import sql
from core.errors import ConflictError
from credit import schedule
from credit.dates import add_months
from credit.policy import Decision
from loans.errors import (
    LoanNotFound,
    PaymentAlreadyReversed,
    PaymentBeforePayoff,
    PaymentNotFound,
    PaymentReferenceTaken,
    RefusedByTheLoan,
)
from loans.follow_up import require_loan
from loans.models import Loan, LoanNote, LoanOrigin, LoanStatus, Payment, PaymentPromise
from loans.selectors import payments_of
from loans.servicing import loan_schedule, payment_records, payment_refusal


def book_loan(customer_id: int, decision: Decision, as_of: date) -> int:
    """INSERT the approved loan (every column: a plain INSERT applies no model defaults) while
    the customer's row lock is held, which the ORM's save would lengthen by ~300 µs."""
    request, now = decision.request, timezone.now()
    return sql.insert_row(
        Loan,
        customer=customer_id,
        loan_amount=request.amount,
        tenure=request.tenure,
        interest_rate=decision.corrected_interest_rate,
        monthly_installment=decision.monthly_installment,
        emis_paid_on_time=0,
        installments_paid=0,
        start_date=as_of,
        end_date=add_months(as_of, request.tenure),
        status=LoanStatus.ACTIVE,
        origin=LoanOrigin.BOOKED,
        created_at=now,
        updated_at=now,
    )


def _locked_loan(loan_id: int) -> Loan:
    loan = Loan.objects.select_for_update().filter(pk=loan_id).first()
    if loan is None:
        raise LoanNotFound(loan_id)
    return loan


def _settle(loan: Loan, rows: tuple[schedule.Installment, ...], after: schedule.Servicing) -> None:
    """Keep the loan's counters and status what its live payments make them."""
    loan.installments_paid = after.installments_paid
    loan.emis_paid_on_time = after.paid_on_time(rows)
    loan.status = LoanStatus.CLOSED if after.closed else LoanStatus.ACTIVE
    loan.save(update_fields=["installments_paid", "emis_paid_on_time", "status", "updated_at"])


def record_payment(
    loan_id: int,
    amount: Decimal,
    paid_on: date,
    *,
    as_of: date,
    recorded_by: str,
    mode: str = "",
    reference: str = "",
) -> Payment:
    """Apply a payment under the loan's row lock: oldest installment first, nothing recorded
    unless every check passes. A payment equal to the payoff quote closes the loan. A reference
    already on a live payment of the same mode is refused by the database's unique index,
    which also settles two cashiers entering one UTR on two loans at once."""
    with transaction.atomic():
        loan = _locked_loan(loan_id)
        refusal = payment_refusal(loan)
        if refusal is not None:
            raise refusal
        earlier = payment_records(list(payments_of(loan_id)))
        rows = loan_schedule(loan)
        before = schedule.apply_payments(rows, earlier)
        quote = schedule.payoff_quote(rows, before, loan.start_date, paid_on)
        problem = schedule.payment_problem(
            amount,
            paid_on,
            start=loan.start_date,
            today=as_of,
            last_paid_on=earlier[-1].paid_on if earlier else None,
            payoff=quote.total,
        )
        if problem is not None:
            raise RefusedByTheLoan("The payment was not recorded.", problem)
        # Anything less than the quote leaves at least its accrued interest owing.
        settles_loan = amount == quote.total
        after = schedule.apply_payments(
            rows, [*earlier, schedule.PaymentRecord(amount, paid_on, settles_loan=settles_loan)]
        )
        try:
            with transaction.atomic():  # a savepoint: the refusal leaves the transaction usable
                payment = Payment.objects.create(
                    loan=loan,
                    amount=amount,
                    paid_on=paid_on,
                    settles_loan=settles_loan,
                    recorded_by=recorded_by,
                    mode=mode,
                    reference=reference,
                )
        except IntegrityError:
            # Only the live reference's uniqueness is the client's to hear of; any other
            # constraint broken here is this code's fault and stays an error.
            live = Payment.objects.filter(mode=mode, reference=reference, reversed_at__isnull=True)
            if reference and live.exists():
                raise PaymentReferenceTaken(mode, reference) from None
            raise
        _settle(loan, rows, after)
        return payment


def reverse_payment(loan_id: int, payment_id: int, *, reason: str, reversed_by: str) -> Payment:
    """Take a payment back (a bounced cheque, a returned UPI credit) under the loan's row lock:
    it stays on the record, marked reversed, and the schedule is what the remaining payments
    make it, as if this one had never come. A payoff that counted it must be reversed first."""
    with transaction.atomic():
        loan = _locked_loan(loan_id)
        payment = Payment.objects.filter(pk=payment_id, loan=loan).first()
        if payment is None:
            raise PaymentNotFound(loan_id, payment_id)
        if payment.reversed_at is not None:
            raise PaymentAlreadyReversed(payment_id)
        live = list(payments_of(loan_id))
        later = live[live.index(payment) + 1 :]
        payoff = next((other for other in later if other.settles_loan), None)
        if payoff is not None:
            raise PaymentBeforePayoff(payment_id, payoff.pk)
        rows = loan_schedule(loan)
        remaining = [other for other in live if other.pk != payment.pk]
        _settle(loan, rows, schedule.apply_payments(rows, payment_records(remaining)))
        payment.reversed_at = timezone.now()
        payment.reversed_by = reversed_by
        payment.reversal_reason = reason
        payment.save(update_fields=["reversed_at", "reversed_by", "reversal_reason"])
        payment.loan = loan
        return payment


def add_note(loan_id: int, text: str, *, written_by: str) -> LoanNote:
    """Write a note on the loan, as it is: notes are never edited (a correction is a new one)."""
    require_loan(loan_id)
    return LoanNote.objects.create(loan_id=loan_id, text=text, written_by=written_by)


def record_promise(
    loan_id: int, promised_on: date, promised_amount: Decimal, *, as_of: date, made_by: str
) -> PaymentPromise:
    """Write down a borrower's promise to pay by a day, made today. A day already gone is no
    promise, and a loan that takes no payment here (closed, or serviced in the source system)
    could never keep one: 409, as a payment dated tomorrow is (well formed, refused by when it
    is asked; 400 is for what the OpenAPI document refuses)."""
    if promised_on < as_of:
        raise ConflictError(
            "The promise was not recorded.", {"promised_on": [f"Must be today ({as_of}) or later."]}
        )
    loan = Loan.objects.filter(pk=loan_id).first()
    if loan is None:
        raise LoanNotFound(loan_id)
    if refused := payment_refusal(loan):
        raise refused
    return PaymentPromise.objects.create(
        loan_id=loan_id,
        promised_on=promised_on,
        promised_amount=promised_amount,
        made_on=as_of,
        made_by=made_by,
    )
