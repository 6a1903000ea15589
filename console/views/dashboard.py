"""The dashboard: the book at a glance, for every role."""

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from console import charts
from console.roles import requires
from console.templatetags.figures import count, money
from core import clock
from credit import standing
from customers.selectors import customer_totals
from decisions.selectors import decisions_per_day
from ingestion.selectors import latest_jobs
from loans.portfolio import active_book

DAYS_SHOWN = 30
JOBS_SHOWN = 5


def days_past_due_of_buckets() -> dict[str, str]:
    """Each bucket's days past due in words, from standing's table of bounds."""
    ranges, last = {}, -1
    for bound, bucket in standing.DELINQUENCY_BUCKETS:
        ranges[bucket] = str(bound) if bound == last + 1 else f"{last + 1}–{bound}"
        last = bound
    ranges[standing.NON_PERFORMING] = f"over {last}"
    return ranges


@requires("dashboard")
def dashboard(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    customers, approved_limits = customer_totals()
    book = active_book(today)
    days = decisions_per_day(today - timedelta(days=DAYS_SHOWN - 1), today)
    decisions_chart = charts.stacked_columns(
        f"Approvals and refusals per day, the last {DAYS_SHOWN} days",
        [day.day.strftime("%d %b") for day in days],
        {"approved": [day.approved for day in days], "refused": [day.refused for day in days]},
    )
    buckets_chart = charts.bars(
        "Active loans by delinquency bucket",
        [(bucket, loans, count(loans)) for bucket, loans in book.by_bucket.items()],
    )
    exposure = charts.meter(
        "Exposure against the approved limits",
        book.exposure,
        approved_limits,
        money(book.exposure),
        money(approved_limits),
    )
    context = {
        "customers": customers,
        "approved_limits": approved_limits,
        "book": book,
        "exposure": exposure,
        "days": days,
        "decisions_chart": decisions_chart,
        "buckets_chart": buckets_chart,
        "bucket_rows": [
            (bucket, days_past_due_of_buckets()[bucket], loans)
            for bucket, loans in book.by_bucket.items()
        ],
        "jobs": list(latest_jobs()[:JOBS_SHOWN]),
    }
    return render(request, "console/dashboard.html", context)
