"""A loan's servicing as its pages and endpoints read it: the schedule with each installment's
status, the payments applied to it, the payoff quote for a day, and whether it takes payments
here. The arithmetic is credit/schedule.py's; this module reads the loan and its payments."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.errors import ConflictError
from credit import schedule, standing
from credit.emi import monthly_installment
from loans.errors import LoanClosed, LoanNotServicedHere, PaymentNotFound, RefusedByTheLoan
from loans.models import Loan, LoanOrigin, LoanStatus, Payment
from loans.selectors import LoanView, get_loan, loan_view, payment_history, payments_of


def payment_refusal(loan: Loan) -> ConflictError | None:
    """Why the loan takes no payment here, or None: the history files' loans are serviced in
    the lender's source system, and a closed loan is paid off."""
    if loan.origin == LoanOrigin.IMPORTED:
        return LoanNotServicedHere(loan.pk)
    if loan.status == LoanStatus.CLOSED:
        return LoanClosed(loan.pk)
    return None


def loan_schedule(loan: Loan) -> tuple[schedule.Installment, ...]:
    """Imported loans are amortised at the contract EMI for their amount, rate and tenure: the
    file's "Monthly payment" often does not repay the loan at its rate, so it cannot drive a
    reducing balance (it stays the loan's installment for the 50% rule)."""
    installment = loan.monthly_installment
    if loan.origin == standing.IMPORTED:
        installment = monthly_installment(loan.loan_amount, loan.interest_rate, loan.tenure)
    return schedule.amortize(
        loan.loan_amount, loan.interest_rate, loan.tenure, installment, loan.start_date
    )


def payment_records(payments: Sequence[Payment]) -> list[schedule.PaymentRecord]:
    """The payments (in the order they were applied) as the schedule's arithmetic takes them."""
    return [
        schedule.PaymentRecord(
            amount=payment.amount, paid_on=payment.paid_on, settles_loan=payment.settles_loan
        )
        for payment in payments
    ]


def loan_servicing(
    loan: Loan,
    rows: tuple[schedule.Installment, ...],
    payments: Sequence[Payment],
    as_of: date,
) -> schedule.Servicing:
    if loan.origin == standing.IMPORTED:
        return standing.settled_by_date(rows, as_of)
    return schedule.apply_payments(rows, payment_records(payments))


@dataclass(frozen=True)
class ScheduledInstallment(schedule.Installment):
    status: schedule.InstallmentStatus
    paid_on: date | None


@dataclass(frozen=True, slots=True)
class LoanSchedule:
    loan_id: int
    days_past_due: int
    delinquency_bucket: str
    installments: list[ScheduledInstallment]


def schedule_for(loan: Loan, payments: Sequence[Payment], as_of: date) -> LoanSchedule:
    """Every installment with its status on `as_of`, and when it was paid (unknown for
    imported loans: the files record no payments)."""
    rows = loan_schedule(loan)
    servicing = loan_servicing(loan, rows, payments, as_of)
    statuses = schedule.installment_statuses(rows, servicing, as_of)
    paid_dates_known = loan.origin != standing.IMPORTED
    where = standing.standing_on(loan, as_of)
    return LoanSchedule(
        loan_id=loan.pk,
        days_past_due=where.days_past_due,
        delinquency_bucket=where.delinquency_bucket,
        installments=[
            ScheduledInstallment(
                **vars(row), status=row_status, paid_on=paid_on if paid_dates_known else None
            )
            for row, row_status, paid_on in zip(rows, statuses, servicing.settled_on, strict=True)
        ],
    )


def schedule_of(loan_id: int, as_of: date) -> LoanSchedule:
    return schedule_for(get_loan(loan_id), list(payments_of(loan_id)), as_of)


@dataclass(frozen=True, slots=True)
class PayoffQuote:
    loan_id: int
    on: date
    outstanding_principal: Decimal
    accrued_interest: Decimal
    total: Decimal


def quote_for(loan: Loan, payments: Sequence[Payment], on: date, *, as_of: date) -> PayoffQuote:
    """What closes the loan on `on`, counting the payments made by `as_of`."""
    if on < loan.start_date:  # well formed, but not a day of this loan's: its state refuses it
        raise RefusedByTheLoan(
            "The payoff was not quoted.", schedule.before_the_start("on", loan.start_date)
        )
    rows = loan_schedule(loan)
    quote = schedule.payoff_quote(
        rows, loan_servicing(loan, rows, payments, min(on, as_of)), loan.start_date, on
    )
    return PayoffQuote(
        loan_id=loan.pk,
        on=on,
        outstanding_principal=quote.outstanding_principal,
        accrued_interest=quote.accrued_interest,
        total=quote.total,
    )


def payoff_on(loan_id: int, on: date, *, as_of: date) -> PayoffQuote:
    return quote_for(get_loan(loan_id), list(payments_of(loan_id)), on, as_of=as_of)


@dataclass(frozen=True, slots=True)
class LoanAccount:
    """A loan as its page shows it, read once: its terms and standing with its customer, the
    schedule, the payments, today's payoff quote, and whether it takes payments here."""

    loan: LoanView
    origin: str
    schedule: LoanSchedule
    payments: list[Payment]
    quote: PayoffQuote
    payment_refusal: ConflictError | None


def payment_entries(loan_id: int) -> list[Payment]:
    """Every payment of the loan, reversed ones too; LoanNotFound when there is no such loan."""
    payments = list(payment_history(loan_id))
    if not payments:
        get_loan(loan_id)
    return payments


def loan_account(loan_id: int, as_of: date) -> LoanAccount:
    """Two queries: the loan with its customer, and its payments (reversed ones are listed and
    count for nothing)."""
    loan = get_loan(loan_id, with_customer=True)
    payments = list(payment_history(loan_id))
    live = [payment for payment in payments if payment.reversed_at is None]
    return LoanAccount(
        loan=loan_view(loan, as_of),
        origin=loan.origin,
        schedule=schedule_for(loan, live, as_of),
        payments=payments,
        quote=quote_for(loan, live, as_of, as_of=as_of),
        payment_refusal=payment_refusal(loan),
    )


@dataclass(frozen=True, slots=True)
class Receipt:
    """What a payer is handed: the payment, and the loan with its holder as it stands today."""

    payment: Payment
    loan: LoanView


def payment_receipt(loan_id: int, payment_id: int, as_of: date) -> Receipt:
    loan = get_loan(loan_id, with_customer=True)
    payment = Payment.objects.filter(pk=payment_id, loan_id=loan_id).first()
    if payment is None:
        raise PaymentNotFound(loan_id, payment_id)
    return Receipt(payment=payment, loan=loan_view(loan, as_of))
