"""The loans worklist: every loan, found by its number or its customer's name or phone (the
customer search's rule, customers.selectors.customer_match), filtered by status and by the
bucket a page shows, newest first or by days past due.

Days past due is computed, not stored, so ordering a million loans by it in SQL would compute
it for every row. Only a booked, open loan can be late (loans.standing.late_beyond), and those
are few: the order by days past due is the late loans in their order, then the others (none
late, so all at 0 days) by number; or the other way round. `ByDaysPastDue` pages over the two
without a sort of the whole table."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property, reduce
from itertools import chain
from operator import or_
from typing import overload

from django.db.models import Q

from core.limits import LARGEST_ID
from credit.standing import ACTIVE
from customers.models import Customer
from customers.phones import SearchTerm, search_terms
from customers.selectors import customer_match
from loans.models import Loan, LoanQuerySet
from loans.standing import (
    current_on,
    in_shown_bucket,
    late_beyond,
    least_late_first,
    most_late_first,
)

MOST_DAYS_FIRST, FEWEST_DAYS_FIRST = "-days_past_due", "days_past_due"


@dataclass(frozen=True, slots=True)
class LoanFilter:
    """What the list is asked for; empty values filter nothing."""

    q: str = ""
    status: str | None = None
    bucket: str | None = None
    sort: str | None = None


def filtered_loans(wanted: LoanFilter, as_of: date) -> LoanQuerySet:
    """The loans matching the search and the filters, each with its customer, in no order."""
    found = Loan.objects.select_related("customer")
    for term in search_terms(wanted.q):
        found = found.filter(_term_condition(term))
    if wanted.status is not None:
        found = found.filter(current_on(as_of) if wanted.status == ACTIVE else ~current_on(as_of))
    if wanted.bucket is not None:
        found = found.filter(in_shown_bucket(wanted.bucket, as_of))
    return found


def _term_condition(term: SearchTerm) -> Q:
    """Where a search term finds a loan: by its customer (customer_match), and a bare number
    also by the loan's own. Digits that may be a phone are first resolved to the customers
    holding them (few: four digits or more), so that the database ORs two indexes, the loan's
    number and its customer, instead of reading every loan."""
    if term.phone_part is not None:
        holders = Customer.objects.filter(customer_match(term)).values_list("pk", flat=True)
        by_customer: Q | None = Q(customer_id__in=list(holders))
    elif term.number is None:
        by_customer = customer_match(term, through="customer__")  # a part of a name
    else:
        by_customer = None  # a short number is a loan's number only
    by_number = Q(pk=term.number) if term.number is not None and term.number <= LARGEST_ID else None
    found = [condition for condition in (by_customer, by_number) if condition is not None]
    return reduce(or_, found) if found else Q(pk__in=[])


def loan_list(wanted: LoanFilter, as_of: date) -> "LoanQuerySet | ByDaysPastDue":
    """The worklist's rows in order: newest first, or by days past due (`sort`)."""
    found = filtered_loans(wanted, as_of)
    if wanted.sort is None:
        return found.order_by("-id")
    return ByDaysPastDue(found, as_of, most_first=wanted.sort == MOST_DAYS_FIRST)


class ByDaysPastDue(Sequence[Loan]):
    """Loans in the order of their days past due, as a Paginator and an export read them
    (count, slices, iterator): the late ones and the others, each a query of its own."""

    ordered = True  # for the Paginator: the order is set

    def __init__(self, loans: LoanQuerySet, as_of: date, *, most_first: bool) -> None:
        self.loans = loans
        late = loans.filter(late_beyond(0, as_of))
        self.late = late.order_by(*(most_late_first() if most_first else least_late_first()))
        self.on_time = loans.exclude(late_beyond(0, as_of)).order_by("id")
        self.most_first = most_first

    @cached_property
    def late_count(self) -> int:
        return self.late.count()

    @cached_property
    def total(self) -> int:
        return self.loans.count()

    def count(self) -> int:  # type: ignore[override]  # Paginator's count(), not Sequence's
        return self.total

    def __len__(self) -> int:
        return self.count()

    def _parts(self) -> tuple[tuple[LoanQuerySet, int], tuple[LoanQuerySet, int]]:
        """Each part with where it starts in the whole order."""
        if self.most_first:
            return (self.late, 0), (self.on_time, self.late_count)
        return (self.on_time, 0), (self.late, self.total - self.late_count)

    @overload
    def __getitem__(self, index: int) -> Loan: ...
    @overload
    def __getitem__(self, index: slice) -> list[Loan]: ...
    def __getitem__(self, index: int | slice) -> Loan | list[Loan]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        rows: list[Loan] = []
        for part, begins in self._parts():
            low = max(start - begins, 0)
            high = None if stop is None else stop - begins
            if high is None or high > low:
                rows.extend(part[low:high])
        return rows

    def parts(self) -> tuple[LoanQuerySet, LoanQuerySet]:
        """The two queries, in the order their rows come."""
        first, second = self._parts()
        return first[0], second[0]

    def __iter__(self) -> Iterator[Loan]:
        return chain(*self.parts())


def every_row(loans: "LoanQuerySet | ByDaysPastDue", chunk_size: int) -> Iterator[Loan]:
    """Every row of the list in its order, for an export: read `chunk_size` at a time, each
    chunk's customers in one more query. Joined to the customers, the database would sort
    every loan before it sent the first."""
    parts = loans.parts() if isinstance(loans, ByDaysPastDue) else (loans,)
    return chain.from_iterable(
        part.select_related(None).prefetch_related("customer").iterator(chunk_size)
        for part in parts
    )
