from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from django.db.models import QuerySet

from core import sql
from core.errors import ErrorCode, NotFoundError
from customers.models import Customer
from customers.selectors import not_found as customer_not_found
from loans import schedule
from loans.emi import monthly_installment
from loans.models import CreditDecision, Loan, LoanOrigin, LoanStatus
from loans.policy import Borrower
from loans.scoring import LoanHistory


class LoanNotFound(NotFoundError):
    code = ErrorCode.LOAN_NOT_FOUND


class LoanTerms(Protocol):
    """What the status, repayments and days past due of a loan are computed from: a Loan or
    the LoanRow the hot read paths build without the ORM."""

    @property
    def tenure(self) -> int: ...
    @property
    def installments_paid(self) -> int: ...
    @property
    def start_date(self) -> date: ...
    @property
    def end_date(self) -> date: ...
    @property
    def status(self) -> str: ...
    @property
    def origin(self) -> str: ...


@dataclass(frozen=True, slots=True)
class LoanRow:
    """A loan as view-loan and view-loans show it, read by hand-written SQL (core.sql)."""

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


_LOAN_COLUMNS = (
    "l.id, l.loan_amount, l.interest_rate, l.monthly_installment, l.tenure, "
    "l.installments_paid, l.start_date, l.end_date, l.status, l.origin"
)
_LOAN_COLUMN_COUNT = _LOAN_COLUMNS.count(",") + 1


def _loan_row(row: tuple[Any, ...]) -> LoanRow:
    id_, amount, rate, installment, tenure, paid, start, end, status, origin = row
    return LoanRow(
        id=id_,
        loan_amount=sql.money(amount),
        interest_rate=sql.money(rate),
        monthly_installment=sql.money(installment),
        tenure=tenure,
        installments_paid=paid,
        start_date=start,
        end_date=end,
        status=status,
        origin=origin,
    )


# The history columns the credit decision reads, after the customer's salary and limit.
_BORROWER_SQL = (
    "SELECT c.monthly_salary, c.approved_limit, l.loan_amount, l.tenure, "
    "l.monthly_installment, l.emis_paid_on_time, l.start_date, l.end_date, l.status "
    "FROM customers_customer c LEFT JOIN loans_loan l ON l.customer_id = c.id "
    "WHERE c.id = %s ORDER BY l.id"
)


def _as_history(row: tuple[Any, ...]) -> LoanHistory:
    amount, tenure, installment, on_time, start, end, status = row
    return LoanHistory(
        amount=sql.money(amount),
        tenure=tenure,
        monthly_installment=sql.money(installment),
        emis_paid_on_time=on_time,
        start_date=start,
        end_date=end,
        closed=status == LoanStatus.CLOSED,
    )


def borrower_with_history(customer_id: int) -> tuple[Borrower, list[LoanHistory]]:
    """The customer's salary and limit with every loan, in one query (a LEFT JOIN): this is
    the decision's hot path, where each round trip shows."""
    rows = sql.fetch_all(_BORROWER_SQL, (customer_id,))
    if not rows:
        raise customer_not_found(customer_id)
    salary, limit = rows[0][:2]
    borrower = Borrower(monthly_salary=sql.money(salary), approved_limit=sql.money(limit))
    return borrower, [_as_history(row[2:]) for row in rows if row[2] is not None]


_LOCK_CUSTOMER_SQL = "SELECT id FROM customers_customer WHERE id = %s"


def lock_customer(customer_id: int) -> None:
    """Hold the customer's row lock until the transaction ends, so concurrent decisions for one
    customer queue up. A statement of its own: in READ COMMITTED, a query that waited for the
    lock still reads the other tables as they were when it began, before the loan it waited
    for was booked."""
    if not sql.fetch_all(_LOCK_CUSTOMER_SQL + sql.for_update(), (customer_id,)):
        raise customer_not_found(customer_id)


# A loan is current while it is not closed and its end date has not passed (as_of, "closed").
_CURRENT_LOAN_SQL = "(l.end_date >= %s AND l.status <> %s)"


def status_on(loan: LoanTerms, as_of: date) -> str:
    """`active` while current (see _CURRENT_LOAN_SQL), else `closed`."""
    if loan.status != LoanStatus.CLOSED and loan.end_date >= as_of:
        return LoanStatus.ACTIVE
    return LoanStatus.CLOSED


def installments_settled(loan: LoanTerms, as_of: date) -> int:
    """Booked loans count the installments their payments settled. The history files record no
    payments, only that the lender serviced the loan, so an imported loan is taken to have paid
    each installment whose due date has passed."""
    if loan.status == LoanStatus.CLOSED:
        return loan.tenure
    if loan.origin == LoanOrigin.IMPORTED:
        return schedule.installments_due(loan.start_date, loan.tenure, as_of)
    return loan.installments_paid


def repayments_left(loan: LoanTerms, as_of: date) -> int:
    return loan.tenure - installments_settled(loan, as_of)


def days_past_due(loan: LoanTerms, as_of: date) -> int:
    return schedule.days_past_due(
        loan.start_date, loan.tenure, installments_settled(loan, as_of), as_of
    )


def loan_schedule(loan: Loan) -> tuple[schedule.Installment, ...]:
    """Imported loans are amortised at the contract EMI for their amount, rate and tenure: the
    file's "Monthly payment" often does not repay the loan at its rate, so it cannot drive a
    reducing balance (it stays the loan's installment for the 50% rule)."""
    installment = loan.monthly_installment
    if loan.origin == LoanOrigin.IMPORTED:
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
    if loan.origin == LoanOrigin.IMPORTED:
        return schedule.settled_by_date(rows, as_of)
    return schedule.apply_payments(rows, payment_records(loan))


def get_loan(loan_id: int) -> Loan:
    loan = Loan.objects.filter(pk=loan_id).first()
    if loan is None:
        raise loan_not_found(loan_id)
    return loan


def loan_not_found(loan_id: int) -> LoanNotFound:
    return LoanNotFound(f"No loan with id {loan_id}.")


_LOAN_WITH_HOLDER_SQL = (
    f"SELECT {_LOAN_COLUMNS}, c.id, c.first_name, c.last_name, c.phone_number, c.age "  # noqa: S608
    "FROM loans_loan l JOIN customers_customer c ON c.id = l.customer_id WHERE l.id = %s"
)


def get_loan_with_customer(loan_id: int) -> tuple[LoanRow, LoanHolder]:
    rows = sql.fetch_all(_LOAN_WITH_HOLDER_SQL, (loan_id,))
    if not rows:
        raise loan_not_found(loan_id)
    row = rows[0]
    return _loan_row(row[:_LOAN_COLUMN_COUNT]), LoanHolder(*row[_LOAN_COLUMN_COUNT:])


def _customer_loans_sql(condition: str) -> str:
    return (
        f"SELECT {_LOAN_COLUMNS} FROM customers_customer c "  # noqa: S608 (constants only)
        f"LEFT JOIN loans_loan l ON l.customer_id = c.id{condition} "
        "WHERE c.id = %s ORDER BY l.id"
    )


# view-loans' statement for each status filter; the filters take (as_of, "closed").
_CUSTOMER_LOANS_SQL: dict[str | None, str] = {
    None: _customer_loans_sql(""),
    LoanStatus.ACTIVE: _customer_loans_sql(f" AND {_CURRENT_LOAN_SQL}"),
    LoanStatus.CLOSED: _customer_loans_sql(f" AND NOT {_CURRENT_LOAN_SQL}"),
}


def customer_loans(customer_id: int, *, as_of: date, status: str | None) -> list[LoanRow]:
    """The customer's loans, oldest first; `status` keeps only active (current) or closed ones.
    One query: the customer LEFT JOIN its loans, so "no loans" and "no such customer" differ."""
    params = () if status is None else (sql.db_date(as_of), LoanStatus.CLOSED)
    rows = sql.fetch_all(_CUSTOMER_LOANS_SQL[status], (*params, customer_id))
    if not rows:
        raise customer_not_found(customer_id)
    return [_loan_row(row) for row in rows if row[0] is not None]


def customer_decisions(customer_id: int) -> QuerySet[CreditDecision]:
    """The customer's decisions, newest first."""
    if not Customer.objects.filter(pk=customer_id).exists():
        raise customer_not_found(customer_id)
    return CreditDecision.objects.filter(customer_id=customer_id).order_by("-id")


class DecisionNotFound(NotFoundError):
    code = ErrorCode.DECISION_NOT_FOUND


def get_decision(decision_id: int) -> CreditDecision:
    decision = CreditDecision.objects.filter(pk=decision_id).first()
    if decision is None:
        raise DecisionNotFound(f"No decision with id {decision_id}.")
    return decision
