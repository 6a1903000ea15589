"""Where a loan stands on a day: whether it is current, how many installments count as settled,
how late it is. Each rule is written here once in Python; its SQL form, for reads that select
loans by it, is loans.standing's LoanQuerySet (loans/tests/test_standing.py holds the two
equal over generated loans).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
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


def bucket_bounds(bucket: str) -> tuple[int, int | None]:
    """The days past due a late bucket spans: more than the first, at most the second (None: no
    upper bound). `current` is no late bucket: ValueError."""
    lower = None
    for upper_bound, name in DELINQUENCY_BUCKETS:
        if name == bucket and lower is not None:
            return lower, upper_bound
        lower = upper_bound
    if bucket == NON_PERFORMING:
        return DELINQUENCY_BUCKETS[-1][0], None
    raise ValueError(f"No late bucket {bucket!r}.")


LATE_BUCKETS = (*(name for _, name in DELINQUENCY_BUCKETS[1:]), NON_PERFORMING)


# --- Amount overdue -------------------------------------------------------------------------


def amount_overdue(
    loan: LoanTerms, schedule: Sequence[Installment], paid: Decimal, as_of: date
) -> Decimal:
    """What should have come in before `as_of` and did not: the installments whose due date has
    passed (on its due date an installment is due, not overdue), less everything the loan's
    live payments brought, partial ones included. Only a loan past due owes (a closed or
    imported one never does), so the amount is above 0 exactly when days_past_due is."""
    if days_past_due(loan, as_of) == 0:
        return Decimal(0)
    scheduled = sum((row.amount for row in schedule if row.due_date < as_of), Decimal(0))
    return scheduled - paid


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
