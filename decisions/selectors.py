"""Reads for decisions: the applicant as the policy reads them (one hand-written statement, on
the hot path of every decision), the customer's row lock, and the audit trail."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Count, QuerySet
from django.utils import timezone

from core import sql
from credit import standing
from credit.policy import Policy, installment_cap
from credit.scoring import CreditScore, Figures, LoanHistory, credit_score, figures_of
from customers.errors import CustomerNotFound
from customers.models import Customer
from customers.selectors import get_customer, require_customer
from decisions.errors import DecisionNotFound
from decisions.models import CreditDecision
from loans.models import Loan
from loans.selectors import LoanView, customer_loans
from policies.models import PolicyStatus, PolicyVersion
from policies.selectors import policy_version

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
    return sql.columns(Customer, ["monthly_salary", "approved_limit", "age"], "c")


def _history() -> sql.Columns:
    return sql.columns(Loan, _HISTORY, "l")


# The plain text: psycopg finds a str subclass's dumper by a slower path, every time.
_ACTIVE = str(PolicyStatus.ACTIVE)


@cache
def _applicant_sql(vendor: str) -> tuple[str, sql.Columns, sql.Columns]:
    """The active policy version (read once: an uncorrelated subquery), the customer's salary,
    limit and age, and every loan of the customer."""
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
    salary, limit, age = borrower.values(rows[0], 1)
    loans = [
        _as_history(history.values(row, loans_from)) for row in rows if row[loans_from] is not None
    ]
    return figures_of(salary, limit, loans, as_of, age=age), int(rows[0][0])


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


def customer_decisions(customer_id: int) -> QuerySet[CreditDecision]:
    """The customer's decisions, newest first."""
    require_customer(customer_id)
    return CreditDecision.objects.filter(customer_id=customer_id).order_by("-id")


def get_decision(decision_id: int) -> CreditDecision:
    decision = CreditDecision.objects.filter(pk=decision_id).first()
    if decision is None:
        raise DecisionNotFound(decision_id)
    return decision


def booking_decision(loan_id: int) -> CreditDecision | None:
    """The decision that booked the loan (its sanction), or None: the history files' loans were
    decided elsewhere."""
    return CreditDecision.objects.filter(loan_id=loan_id, approved=True).order_by("id").first()


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


@dataclass(frozen=True)
class CustomerFile:
    """A customer as the officer's page shows them: who they are, where they stand under the
    active policy, their loans today, and their decisions (newest first, to be paged)."""

    customer: Customer
    profile: CreditProfile
    loans: list[LoanView]
    decisions: QuerySet[CreditDecision]

    @property
    def customer_since(self) -> date:
        """When the customer first appears: registered here, or earlier by a loan the history
        files brought (an imported customer is registered on the day of the upload)."""
        registered = timezone.localdate(self.customer.created_at)
        return min([registered, *(loan.start_date for loan in self.loans)])


def customer_file(customer_id: int, as_of: date) -> CustomerFile:
    return CustomerFile(
        customer=get_customer(customer_id),
        profile=credit_profile(customer_id, as_of),
        loans=customer_loans(customer_id, as_of=as_of, status=None),
        decisions=CreditDecision.objects.filter(customer_id=customer_id).order_by("-id"),
    )


def decision_of(customer_id: int, decision_id: int | None) -> CreditDecision | None:
    """The customer's decision `decision_id` (the one an application page shows again); None
    when none is asked for or they have no such decision."""
    if decision_id is None:
        return None
    return CreditDecision.objects.filter(pk=decision_id, customer_id=customer_id).first()
