"""The book at a glance, as the dashboard shows it to every role: customers and their limits, the
current loans by delinquency bucket, the decisions of the last days, the latest uploads."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from customers.selectors import customer_totals
from decisions.selectors import DayOfDecisions, decisions_per_day
from ingestion.models import IngestionJob
from ingestion.selectors import latest_jobs
from loans.portfolio import ActiveBook, active_book

DAYS_SHOWN = 30
JOBS_SHOWN = 5


@dataclass(frozen=True, slots=True)
class Overview:
    customers: int
    approved_limits: Decimal
    book: ActiveBook
    days: list[DayOfDecisions]
    jobs: list[IngestionJob]


def book_overview(as_of: date) -> Overview:
    customers, approved_limits = customer_totals()
    return Overview(
        customers=customers,
        approved_limits=approved_limits,
        book=active_book(as_of),
        days=decisions_per_day(as_of - timedelta(days=DAYS_SHOWN - 1), as_of),
        jobs=list(latest_jobs()[:JOBS_SHOWN]),
    )
