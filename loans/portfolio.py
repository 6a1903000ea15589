"""The book as a whole, for the dashboard: the current loans, their amounts, and how many sit in
each delinquency bucket. Read through the ORM with standing's QuerySet conditions (not a hot
path: one aggregate query whatever the book's size)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count

from core.aggregates import paise_sum, rupees
from credit import standing
from loans.models import Loan
from loans.standing import late_beyond


@dataclass(frozen=True, slots=True)
class ActiveBook:
    """The current loans: how many, their amounts, and how many in each delinquency bucket
    (standing.DELINQUENCY_BUCKETS' order, then NPA)."""

    loans: int
    exposure: Decimal
    by_bucket: dict[str, int]


def active_book(as_of: date) -> ActiveBook:
    """One pass over the current loans: counted, their amounts added, and for each bucket's
    upper bound how many are later than it."""
    bounds = [days for days, _ in standing.DELINQUENCY_BUCKETS]
    late = {f"late_{days}": Count("pk", filter=late_beyond(days, as_of)) for days in bounds}
    totals = Loan.objects.current(as_of).aggregate(
        loans=Count("pk"), exposure=paise_sum("loan_amount"), **late
    )
    beyond = [totals["loans"], *(totals[f"late_{days}"] for days in bounds)]
    names = [bucket for _, bucket in standing.DELINQUENCY_BUCKETS] + [standing.NON_PERFORMING]
    by_bucket = {
        name: beyond[index] - (beyond[index + 1] if index + 1 < len(beyond) else 0)
        for index, name in enumerate(names)
    }
    return ActiveBook(
        loans=totals["loans"], exposure=rupees(totals["exposure"]), by_bucket=by_bucket
    )
