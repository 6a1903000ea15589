"""The dashboard: the book at a glance, for every role."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from console import charts
from console.overview import DAYS_SHOWN, book_overview
from console.requests import HtmxHttpRequest
from console.roles import requires
from console.templatetags.figures import count, money
from core import clock
from credit import standing


def days_past_due_of_buckets() -> dict[str, str]:
    """Each bucket's days past due in words, from standing's table of bounds."""
    ranges, last = {}, -1
    for bound, bucket in standing.DELINQUENCY_BUCKETS:
        ranges[bucket] = str(bound) if bound == last + 1 else f"{last + 1}–{bound}"
        last = bound
    ranges[standing.NON_PERFORMING] = f"over {last}"
    return ranges


@require_safe
@requires("dashboard")
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    overview = book_overview(clock.today())
    book, days, approved_limits = overview.book, overview.days, overview.approved_limits
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
        "customers": overview.customers,
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
        "jobs": overview.jobs,
    }
    return render(request, "console/dashboard.html", context)
