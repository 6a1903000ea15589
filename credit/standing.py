"""Where a loan stands on a day: whether it is current, how many installments count as settled,
how late it is. Each rule is written here once, with the SQL form the hot reads use beside its
Python form (loans/tests/test_standing.py holds the two equal over generated loans).

Free of Django on purpose: the score, the decision and the views all read it.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol

from credit.dates import add_months, months_elapsed
from credit.schedule import Installment, Servicing

# The values of Loan.status and Loan.origin (loans.models uses these).
ACTIVE, CLOSED = "active", "closed"
BOOKED, IMPORTED = "booked", "imported"


class LoanTerms(Protocol):
    """What a loan's standing is computed from: a Loan, or a row the hot reads build."""

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


# --- Current --------------------------------------------------------------------------------


def is_current(status: str, end_date: date, as_of: date) -> bool:
    """A loan is current while it is not closed and its end date has not passed: it counts
    against the approved limit and the 50% rule, and view-loans shows it as active."""
    return status != CLOSED and end_date >= as_of


def current_sql(alias: str) -> str:
    """is_current as an SQL condition on the loans table aliased `alias`; its parameters
    are current_params(as_of)."""
    return f"({alias}.end_date >= %s AND {alias}.status <> %s)"


def current_params(as_of: date) -> tuple[date, str]:
    return as_of, CLOSED


def status_on(loan: LoanTerms, as_of: date) -> str:
    """`active` while current, else `closed`."""
    return ACTIVE if is_current(loan.status, loan.end_date, as_of) else CLOSED


# --- Installments settled -------------------------------------------------------------------


def installments_due(start: date, tenure: int, as_of: date) -> int:
    """Installments whose due date has come by `as_of` (one a month from the start)."""
    return min(tenure, months_elapsed(start, as_of))


def installments_settled(loan: LoanTerms, as_of: date) -> int:
    """A closed loan has settled them all. A booked loan counts what its payments settled. The
    history files record no payments, only that the lender serviced the loan, so an imported
    loan is taken to have paid each installment whose due date has come."""
    if loan.status == CLOSED:
        return loan.tenure
    if loan.origin == IMPORTED:
        return installments_due(loan.start_date, loan.tenure, as_of)
    return loan.installments_paid


def settled_by_date(schedule: Sequence[Installment], as_of: date) -> Servicing:
    """installments_settled for an imported loan, installment by installment: each one whose
    due date has come counts as paid on that date."""
    return Servicing(
        settled_on=tuple(row.due_date if row.due_date <= as_of else None for row in schedule),
        credit=Decimal(0),
    )


def repayments_left(loan: LoanTerms, as_of: date) -> int:
    return loan.tenure - installments_settled(loan, as_of)


# --- Late -----------------------------------------------------------------------------------


def days_past_due(loan: LoanTerms, as_of: date) -> int:
    """Days since the oldest unpaid installment fell due (the due date itself is not late);
    0 when none is."""
    return _days_past_due(loan, installments_settled(loan, as_of), as_of)


def _days_past_due(loan: LoanTerms, settled: int, as_of: date) -> int:
    if settled >= loan.tenure:
        return 0
    oldest_unpaid_due = add_months(loan.start_date, settled + 1)
    return max(0, (as_of - oldest_unpaid_due).days)


# Reserve Bank of India: special mention accounts by days past due, non-performing after 90.
DELINQUENCY_BUCKETS: tuple[tuple[int, str], ...] = (
    (0, "current"),
    (30, "SMA-0"),
    (60, "SMA-1"),
    (90, "SMA-2"),
)
NON_PERFORMING = "NPA"


def delinquency_bucket(days: int) -> str:
    for upper_bound, bucket in DELINQUENCY_BUCKETS:
        if days <= upper_bound:
            return bucket
    return NON_PERFORMING


def late_beyond_sql(
    alias: str, month_index: Callable[[str], str], day_of_month: Callable[[str], str]
) -> str:
    """`days_past_due(loan, as_of) > days` as an SQL condition on the loans table aliased
    `alias`, for any number of days; its parameters are late_beyond_params(as_of, days).
    `month_index` and `day_of_month` spell those date parts for the database (core.sql).

    Only a booked, open loan with installments left can be late (see installments_settled).
    It is late beyond `days` when its oldest unpaid installment, number installments_paid + 1,
    fell due on or before the day Y = as_of − days − 1, i.e. when months_elapsed(start, Y) ≥
    installments_paid + 1. months_elapsed is the month difference, less one when the start's
    day of the month is past Y's (Y not being its month's last day): Y's parts are parameters,
    the start's are read from the row."""
    start = f"{alias}.start_date"
    return (
        f"({alias}.origin = %s AND {alias}.status <> %s"
        f" AND {alias}.installments_paid < {alias}.tenure"
        f" AND {month_index(start)} + {alias}.installments_paid"
        f" + CASE WHEN {day_of_month(start)} > %s THEN 1 ELSE 0 END < %s)"
    )


def late_beyond_params(as_of: date, days: int) -> tuple[str, str, int, int]:
    last_calm_day = as_of - timedelta(days=days + 1)
    last_of_its_month = (last_calm_day + timedelta(days=1)).day == 1
    # On a month's last day every start day has had its anniversary: no day exceeds 31.
    day = 31 if last_of_its_month else last_calm_day.day
    return BOOKED, CLOSED, day, last_calm_day.year * 12 + last_calm_day.month


@dataclass(frozen=True, slots=True)
class Standing:
    status: str
    repayments_left: int
    days_past_due: int
    delinquency_bucket: str


def standing_on(loan: LoanTerms, as_of: date) -> Standing:
    settled = installments_settled(loan, as_of)
    late = _days_past_due(loan, settled, as_of)
    return Standing(
        status=status_on(loan, as_of),
        repayments_left=loan.tenure - settled,
        days_past_due=late,
        delinquency_bucket=delinquency_bucket(late),
    )
