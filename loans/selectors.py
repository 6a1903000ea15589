"""Reads of loans and decisions. The hot ones (check-eligibility, create-loan, view-loan,
view-loans) are one hand-written statement each, built from the models' metadata (core.sql);
the rest use the ORM."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from core import sql
from core.errors import INVALID_FIELDS, ApiError
from credit import schedule, standing
from credit.emi import monthly_installment
from customers.errors import CustomerNotFound
from customers.models import Customer
from loans.errors import LoanNotFound
from loans.models import Loan, Payment


@dataclass(frozen=True, slots=True)
class LoanRow:
    """A loan's terms as the hot reads fetch them."""

    id: int
    loan_amount: Decimal
    interest_rate: Decimal
    monthly_installment: Decimal
    tenure: int
    installments_paid: int
    start_date: date
    end_date: date
    status: str
    origin: str


@dataclass(frozen=True, slots=True)
class LoanHolder:
    id: int
    first_name: str
    last_name: str
    phone_number: int
    age: int


@dataclass(frozen=True, slots=True)
class LoanView:
    """A loan as view-loan and view-loans show it: its terms and where it stands today."""

    loan_id: int
    loan_amount: Decimal
    interest_rate: Decimal
    monthly_installment: Decimal
    tenure: int
    start_date: date
    end_date: date
    status: str
    repayments_left: int
    days_past_due: int
    delinquency_bucket: str
    customer: LoanHolder | None = None


_TERMS, _HOLDER = tuple(LoanRow.__dataclass_fields__), tuple(LoanHolder.__dataclass_fields__)


def _terms() -> sql.Columns:
    return sql.columns(Loan, _TERMS, "l")


def _holder() -> sql.Columns:
    return sql.columns(Customer, _HOLDER, "c")


def _view(row: LoanRow, as_of: date, customer: LoanHolder | None = None) -> LoanView:
    where = standing.standing_on(row, as_of)
    return LoanView(
        loan_id=row.id,
        loan_amount=row.loan_amount,
        interest_rate=row.interest_rate,
        monthly_installment=row.monthly_installment,
        tenure=row.tenure,
        start_date=row.start_date,
        end_date=row.end_date,
        status=where.status,
        repayments_left=where.repayments_left,
        days_past_due=where.days_past_due,
        delinquency_bucket=where.delinquency_bucket,
        customer=customer,
    )


@cache
def _loan_with_holder_sql(vendor: str) -> tuple[str, sql.Columns, sql.Columns]:
    terms, holder = _terms(), _holder()
    statement = (
        f"SELECT {terms.select}, {holder.select} FROM {sql.table(Loan)} l"  # noqa: S608
        f" JOIN {sql.table(Customer)} c ON c.id = l.customer_id WHERE l.id = %s"
    )
    return statement, terms, holder


def loan_with_holder(loan_id: int, as_of: date) -> LoanView:
    """view-loan's one JOIN."""
    statement, terms, holder = _loan_with_holder_sql(connection.vendor)
    rows = sql.fetch_all(statement, (loan_id,))
    if not rows:
        raise LoanNotFound(loan_id)
    row = rows[0]
    customer = LoanHolder(*holder.values(row, terms.count))
    return _view(LoanRow(*terms.values(row)), as_of, customer)


@cache
def _customer_loans_sql(vendor: str, status: str | None) -> tuple[str, sql.Columns]:
    """The customer LEFT JOIN its loans, so "no loans" and "no such customer" differ; with a
    status, only the current (active) or the other (closed) loans join."""
    condition = {
        None: "",
        standing.ACTIVE: f" AND {standing.current_sql('l')}",
        standing.CLOSED: f" AND NOT {standing.current_sql('l')}",
    }[status]
    terms = _terms()
    statement = (
        f"SELECT {terms.select} FROM {sql.table(Customer)} c"  # noqa: S608 (metadata only)
        f" LEFT JOIN {sql.table(Loan)} l ON l.customer_id = c.id{condition}"
        " WHERE c.id = %s ORDER BY l.id"
    )
    return statement, terms


def customer_loans(customer_id: int, *, as_of: date, status: str | None) -> list[LoanView]:
    """The customer's loans, oldest first; `status` keeps only active (current) or closed ones.
    One query."""
    params = () if status is None else standing.current_params(sql.db_date(as_of))
    statement, terms = _customer_loans_sql(connection.vendor, status)
    rows = sql.fetch_all(statement, (*params, customer_id))
    if not rows:
        raise CustomerNotFound(customer_id)
    return [_view(LoanRow(*terms.values(row)), as_of) for row in rows if row[0] is not None]


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


def get_loan(loan_id: int) -> Loan:
    loan = Loan.objects.filter(pk=loan_id).first()
    if loan is None:
        raise LoanNotFound(loan_id)
    return loan


def payments_of(loan_id: int) -> QuerySet[Payment]:
    """A loan's payments in the order they were applied."""
    return Payment.objects.filter(loan_id=loan_id).order_by("paid_on", "id")


@dataclass(frozen=True, slots=True)
class ActiveBook:
    """The current loans: how many, their amounts, and how many in each delinquency bucket
    (standing.DELINQUENCY_BUCKETS' order, then NPA)."""

    loans: int
    exposure: Decimal
    by_bucket: dict[str, int]


def active_book(as_of: date) -> ActiveBook:
    """One pass over the loans table: the current ones counted, their amounts added, and for
    each bucket's upper bound how many are later than it (standing's SQL forms)."""
    bounds = [days for days, _ in standing.DELINQUENCY_BUCKETS]
    late = standing.late_beyond_sql("l", sql.month_index, sql.day_of_month)
    counts = ", ".join(f"SUM(CASE WHEN {late} THEN 1 ELSE 0 END)" for _ in bounds)
    statement = (
        f"SELECT COUNT(*), {sql.money_sum('l.loan_amount')}, {counts}"  # noqa: S608
        f" FROM {sql.table(Loan)} l WHERE {standing.current_sql('l')}"
    )
    params: list[Any] = []
    for days in bounds:
        params.extend(standing.late_beyond_params(as_of, days))
    params.extend(standing.current_params(sql.db_date(as_of)))
    total, exposure, *later_than = sql.fetch_all(statement, tuple(params))[0]
    beyond = [int(total), *(int(count or 0) for count in later_than)]
    names = [bucket for _, bucket in standing.DELINQUENCY_BUCKETS] + [standing.NON_PERFORMING]
    by_bucket = {
        name: beyond[index] - (beyond[index + 1] if index + 1 < len(beyond) else 0)
        for index, name in enumerate(names)
    }
    return ActiveBook(loans=int(total), exposure=sql.money_total(exposure), by_bucket=by_bucket)
