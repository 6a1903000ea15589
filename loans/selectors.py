"""Reads of loans. view-loan and view-loans, on the hot path, are one hand-written statement
each, built from the models' metadata (core.sql); the rest use the ORM."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

from django.db import connection
from django.db.models import QuerySet

from core import sql
from credit import standing
from customers.errors import CustomerNotFound
from customers.models import Customer
from loans.errors import LoanNotFound
from loans.models import Loan, Payment
from loans.standing import current_params, current_sql


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

    @property
    def bucket_shown(self) -> str:
        """What a page writes for the bucket: a closed loan with nothing past due has none, and
        says "closed" (the API keeps `current`, as view-loan always answered)."""
        if self.status == standing.CLOSED and self.days_past_due == 0:
            return standing.CLOSED
        return self.delinquency_bucket


_TERMS, _HOLDER = tuple(LoanRow.__dataclass_fields__), tuple(LoanHolder.__dataclass_fields__)


def _terms() -> sql.Columns:
    return sql.columns(Loan, _TERMS, "l")


def _holder() -> sql.Columns:
    return sql.columns(Customer, _HOLDER, "c")


def _view(row: LoanRow | Loan, as_of: date, customer: LoanHolder | None = None) -> LoanView:
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


def loan_view(loan: Loan, as_of: date) -> LoanView:
    """view-loan's answer from a loan read with its customer (select_related)."""
    holder = loan.customer
    return _view(
        loan,
        as_of,
        LoanHolder(
            id=holder.pk,
            first_name=holder.first_name,
            last_name=holder.last_name,
            phone_number=holder.phone_number,
            age=holder.age,
        ),
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
        standing.ACTIVE: f" AND {current_sql('l')}",
        standing.CLOSED: f" AND NOT {current_sql('l')}",
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
    params = () if status is None else current_params(sql.db_date(as_of))
    statement, terms = _customer_loans_sql(connection.vendor, status)
    rows = sql.fetch_all(statement, (*params, customer_id))
    if not rows:
        raise CustomerNotFound(customer_id)
    return [_view(LoanRow(*terms.values(row)), as_of) for row in rows if row[0] is not None]


def get_loan(loan_id: int, *, with_customer: bool = False) -> Loan:
    found = Loan.objects.filter(pk=loan_id)
    loan = (found.select_related("customer") if with_customer else found).first()
    if loan is None:
        raise LoanNotFound(loan_id)
    return loan


def payments_of(loan_id: int) -> QuerySet[Payment]:
    """A loan's live payments (not reversed) in the order they were applied."""
    return Payment.objects.live().filter(loan_id=loan_id).order_by("paid_on", "id")


def payment_history(loan_id: int) -> QuerySet[Payment]:
    """Every payment of a loan, reversed ones too, in the order they were applied."""
    return Payment.objects.filter(loan_id=loan_id).order_by("paid_on", "id")
