"""Reads of loans and decisions. The hot ones (check-eligibility, create-loan, view-loan,
view-loans) are one hand-written statement each, built from the models' metadata (core.sql);
the rest use the ORM."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Count, QuerySet

from core import sql
from core.errors import ConflictError
from customers.errors import CustomerNotFound
from customers.models import Customer
from customers.selectors import require_customer
from loans import schedule, standing
from loans.emi import monthly_installment
from loans.errors import DecisionNotFound, LoanNotFound
from loans.models import CreditDecision, Loan, Payment
from loans.policy import Policy, installment_cap
from loans.scoring import CreditScore, Figures, LoanHistory, credit_score, figures_of
from policies.models import PolicyStatus, PolicyVersion
from policies.selectors import policy_version


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


# The history columns the credit decision reads, after the customer's salary and limit.
_HISTORY = (
    "loan_amount",
    "tenure",
    "monthly_installment",
    "emis_paid_on_time",
    "start_date",
    "end_date",
    "status",
)


def _borrower() -> sql.Columns:
    return sql.columns(Customer, ["monthly_salary", "approved_limit"], "c")


def _history() -> sql.Columns:
    return sql.columns(Loan, _HISTORY, "l")


# The plain text: psycopg finds a str subclass's dumper by a slower path, every time.
_ACTIVE = str(PolicyStatus.ACTIVE)


@cache
def _applicant_sql(vendor: str) -> tuple[str, sql.Columns, sql.Columns]:
    """The active policy version (read once: an uncorrelated subquery), the customer's salary
    and limit, and every loan of the customer."""
    borrower, history = _borrower(), _history()
    active = f"(SELECT p.id FROM {sql.table(PolicyVersion)} p WHERE p.status = %s)"  # noqa: S608
    statement = (
        f"SELECT {active}, {borrower.select}, {history.select}"  # noqa: S608
        f" FROM {sql.table(Customer)} c LEFT JOIN {sql.table(Loan)} l ON l.customer_id = c.id"
        " WHERE c.id = %s ORDER BY l.id"
    )
    return statement, borrower, history


def applicant(customer_id: int, as_of: date) -> tuple[Figures, int]:
    """What the policy reads of the customer today, and the active policy version: one query
    (a LEFT JOIN), as this is the decision's hot path, where each round trip shows."""
    statement, borrower, history = _applicant_sql(connection.vendor)
    rows = sql.fetch_all(statement, (_ACTIVE, customer_id))
    if not rows:
        raise CustomerNotFound(customer_id)
    loans_from = 1 + borrower.count
    salary, limit = borrower.values(rows[0], 1)
    loans = [
        _as_history(history.values(row, loans_from)) for row in rows if row[loans_from] is not None
    ]
    return figures_of(salary, limit, loans, as_of), int(rows[0][0])


def _as_history(values: Sequence[Any]) -> LoanHistory:
    amount, tenure, installment, on_time, start, end, status = values
    return LoanHistory(
        amount=amount,
        tenure=tenure,
        monthly_installment=installment,
        emis_paid_on_time=on_time,
        start_date=start,
        end_date=end,
        closed=status == standing.CLOSED,
    )


@cache
def _lock_customer_sql(vendor: str) -> str:
    return f"SELECT id FROM {sql.table(Customer)} WHERE id = %s{sql.for_update()}"  # noqa: S608


def lock_customer(customer_id: int) -> None:
    """Hold the customer's row lock until the transaction ends, so concurrent decisions for one
    customer queue up. A statement of its own: in READ COMMITTED, a query that waited for the
    lock still reads the other tables as they were when it began, before the loan it waited
    for was booked."""
    if not sql.fetch_all(_lock_customer_sql(connection.vendor), (customer_id,)):
        raise CustomerNotFound(customer_id)


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
    if on < loan.start_date:  # well formed, but not a day of this loan's: its state refuses it
        raise ConflictError(
            "The payoff was not quoted.",
            {"on": [f"Must not be before the loan's start ({loan.start_date})."]},
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


def customer_decisions(customer_id: int) -> QuerySet[CreditDecision]:
    """The customer's decisions, newest first."""
    require_customer(customer_id)
    return CreditDecision.objects.filter(customer_id=customer_id).order_by("-id")


def get_decision(decision_id: int) -> CreditDecision:
    decision = CreditDecision.objects.filter(pk=decision_id).first()
    if decision is None:
        raise DecisionNotFound(decision_id)
    return decision


def payments_of(loan_id: int) -> QuerySet[Payment]:
    """A loan's payments in the order they were applied."""
    return Payment.objects.filter(loan_id=loan_id).order_by("paid_on", "id")


def find_decisions(
    *,
    customer_id: int | None = None,
    kind: str | None = None,
    approved: bool | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[CreditDecision]:
    """Decisions newest first, narrowed by whichever of customer, kind, outcome and as-of
    dates are given."""
    found = CreditDecision.objects.order_by("-id")
    if customer_id is not None:
        found = found.filter(customer_id=customer_id)
    if kind:
        found = found.filter(kind=kind)
    if approved is not None:
        found = found.filter(approved=approved)
    if since is not None:
        found = found.filter(as_of__gte=since)
    if until is not None:
        found = found.filter(as_of__lte=until)
    return found


@dataclass(frozen=True, slots=True)
class CreditProfile:
    """Where a customer stands today under the active policy: what it reads, the score, and
    the installments the share-of-salary rule allows."""

    figures: Figures
    policy: Policy
    credit: CreditScore
    installment_cap: Decimal


def credit_profile(customer_id: int, as_of: date) -> CreditProfile:
    figures, version = applicant(customer_id, as_of)
    policy = policy_version(version)
    return CreditProfile(
        figures=figures,
        policy=policy,
        credit=credit_score(figures, policy.score),
        installment_cap=installment_cap(figures, policy),
    )


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


@dataclass(frozen=True, slots=True)
class DayOfDecisions:
    day: date
    approved: int
    refused: int


def decisions_per_day(since: date, until: date) -> list[DayOfDecisions]:
    """Approvals and refusals for each as-of day from `since` to `until`, days without any
    included: one grouped query."""
    counted = (
        CreditDecision.objects.filter(as_of__gte=since, as_of__lte=until)
        .order_by()
        .values_list("as_of", "approved")
        .annotate(n=Count("id"))
    )
    tally = {(day, approved): n for day, approved, n in counted}
    days = [since + timedelta(days=offset) for offset in range((until - since).days + 1)]
    return [
        DayOfDecisions(day, tally.get((day, True), 0), tally.get((day, False), 0)) for day in days
    ]
