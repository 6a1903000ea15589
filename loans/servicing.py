"""A loan's servicing as its pages and endpoints read it: the schedule with each installment's
status, the payments applied to it, the payoff quote for a day. The arithmetic is
credit/schedule.py's; this module reads the loan and its payments for it."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.errors import INVALID_FIELDS, ApiError
from credit import schedule, standing
from credit.emi import monthly_installment
from loans.models import Loan
from loans.selectors import get_loan


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


def payment_records(loan: Loan) -> list[schedule.PaymentRecord]:
    return [
        schedule.PaymentRecord(amount=amount, paid_on=paid_on, settles_loan=settles)
        for amount, paid_on, settles in loan.payments.order_by("paid_on", "id").values_list(
            "amount", "paid_on", "settles_loan"
        )
    ]


def loan_servicing(
    loan: Loan, rows: tuple[schedule.Installment, ...], as_of: date
) -> schedule.Servicing:
    if loan.origin == standing.IMPORTED:
        return standing.settled_by_date(rows, as_of)
    return schedule.apply_payments(rows, payment_records(loan))


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


def schedule_of(loan_id: int, as_of: date) -> LoanSchedule:
    """Every installment with its status on `as_of`, and when it was paid (unknown for
    imported loans: the files record no payments)."""
    loan = get_loan(loan_id)
    rows = loan_schedule(loan)
    servicing = loan_servicing(loan, rows, as_of)
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


@dataclass(frozen=True, slots=True)
class PayoffQuote:
    loan_id: int
    on: date
    outstanding_principal: Decimal
    accrued_interest: Decimal
    total: Decimal


def payoff_on(loan_id: int, on: date, *, as_of: date) -> PayoffQuote:
    """What closes the loan on `on`, counting the payments made by `as_of`."""
    loan = get_loan(loan_id)
    if on < loan.start_date:
        raise ApiError(
            INVALID_FIELDS, {"on": [f"Must not be before the loan's start ({loan.start_date})."]}
        )
    rows = loan_schedule(loan)
    quote = schedule.payoff_quote(
        rows, loan_servicing(loan, rows, min(on, as_of)), loan.start_date, on
    )
    return PayoffQuote(
        loan_id=loan.pk,
        on=on,
        outstanding_principal=quote.outstanding_principal,
        accrued_interest=quote.accrued_interest,
        total=quote.total,
    )
