"""The collections worklist: the loans past due, most days past due first, with what each owes
(credit.standing.amount_overdue). The database selects and orders the loans (loans.standing's
conditions, held equal to the Python rules by loans/tests/test_collections.py); the amount is
computed for the rows shown, from one grouped sum of their payments."""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import islice

from core.aggregates import paise_sum, rupees
from credit import standing
from loans.models import Loan, LoanQuerySet, Payment
from loans.selectors import LoanView, loan_view
from loans.servicing import loan_schedule
from loans.standing import in_late_bucket, late_beyond, most_late_first


def past_due(as_of: date, bucket: str | None = None) -> LoanQuerySet:
    """The loans past due on `as_of` (in `bucket`, one of standing.LATE_BUCKETS, if given),
    most days past due first, each with its customer."""
    condition = late_beyond(0, as_of) if bucket is None else in_late_bucket(bucket, as_of)
    return Loan.objects.filter(condition).select_related("customer").order_by(*most_late_first())


def paid_to_date(loan_ids: Iterable[int]) -> dict[int, Decimal]:
    """What each loan's live payments brought, in one grouped query (added in paise)."""
    totals = (
        Payment.objects.live()
        .filter(loan_id__in=list(loan_ids))
        .values("loan_id")
        .annotate(paise=paise_sum("amount"))
        .order_by()
    )
    return {row["loan_id"]: rupees(row["paise"]) for row in totals}


@dataclass(frozen=True, slots=True)
class Arrears:
    """A loan as the collections worklist shows it."""

    loan: LoanView
    amount_overdue: Decimal


def arrears_of(loans: Sequence[Loan], as_of: date) -> list[Arrears]:
    """Each loan (read with its customer) with its amount overdue; one query for the payments."""
    paid = paid_to_date(loan.pk for loan in loans)
    return [
        Arrears(
            loan=loan_view(loan, as_of),
            amount_overdue=standing.amount_overdue(
                loan, loan_schedule(loan), paid.get(loan.pk, Decimal(0)), as_of
            ),
        )
        for loan in loans
    ]


def arrears_in_batches(loans: Iterable[Loan], as_of: date, size: int) -> Iterator[Arrears]:
    """arrears_of for any number of loans, `size` at a time: an export of every loan past due
    holds one batch in memory, not the list."""
    rows = iter(loans)
    while batch := list(islice(rows, size)):
        yield from arrears_of(batch, as_of)


@dataclass(frozen=True, slots=True)
class CustomerArrears:
    """A customer's loans past due, for the warning on their pages."""

    loans: list[Arrears]

    @property
    def amount_overdue(self) -> Decimal:
        return sum((row.amount_overdue for row in self.loans), Decimal(0))

    @property
    def days_past_due(self) -> int:
        return max((row.loan.days_past_due for row in self.loans), default=0)


def customer_arrears(customer_id: int, as_of: date) -> CustomerArrears:
    """Two queries: the customer's loans past due, and their payments."""
    return CustomerArrears(
        loans=arrears_of(list(past_due(as_of).filter(customer_id=customer_id)), as_of)
    )
