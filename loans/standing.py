"""Where a loan stands, as the database selects loans by it: credit/standing.py's rules as the
conditions of loans.models.LoanQuerySet (Loan.objects.current(as_of), .late_beyond(days,
as_of)), and the one hand-written form the hot path needs (view-loans' statement).
loans/tests/test_standing.py holds each SQL form equal to its Python form over generated loans.
"""

from datetime import date, timedelta
from typing import Any

from django.db.models import Case, F, IntegerField, OrderBy, Q, Value, When
from django.db.models.expressions import Expression
from django.db.models.functions import Cast, ExtractDay, ExtractMonth, ExtractYear, Least
from django.db.models.lookups import Exact, In, LessThan

from credit.standing import BOOKED, CLOSED, DELINQUENCY_BUCKETS, LATE_BUCKETS, bucket_bounds


def current_on(as_of: date) -> Q:
    """credit.standing.is_current: not closed, and the end date not passed."""
    return Q(end_date__gte=as_of) & ~Q(status=CLOSED)


def current_sql(alias: str) -> str:
    """current_on for the hot path's hand-written statement (loans.selectors.customer_loans), on
    the loans table aliased `alias`; its parameters are current_params(as_of)."""
    return f"({alias}.end_date >= %s AND {alias}.status <> %s)"


def current_params(as_of: Any) -> tuple[Any, str]:
    """`as_of` as the database takes a date (core.sql.db_date), and the closed status."""
    return as_of, CLOSED


def late_beyond(days: int, as_of: date) -> Q:
    """credit.standing.days_past_due(loan, as_of) > days, for any number of days.

    Only a booked, open loan with installments left can be late (installments_settled). It is
    late beyond `days` when its oldest unpaid installment, number installments_paid + 1, fell
    due on or before the day Y = as_of − days − 1, i.e. when months_elapsed(start, Y) ≥
    installments_paid + 1. months_elapsed is the month difference, less one when the start's
    day of the month is past Y's (Y not being its month's last day)."""
    calm_until = as_of - timedelta(days=days + 1)
    last_of_its_month = (calm_until + timedelta(days=1)).day == 1
    # On a month's last day every start day has had its anniversary: no day exceeds 31.
    day = 31 if last_of_its_month else calm_until.day
    start_month = ExtractYear("start_date") * 12 + ExtractMonth("start_date")
    anniversary_to_come = Case(When(start_date__day__gt=day, then=Value(1)), default=Value(0))
    return (
        Q(origin=BOOKED, installments_paid__lt=F("tenure"))
        & ~Q(status=CLOSED)
        & Q(
            LessThan(
                start_month + F("installments_paid") + anniversary_to_come,
                calm_until.year * 12 + calm_until.month,
            )
        )
    )


def in_late_bucket(bucket: str, as_of: date) -> Q:
    """credit.standing.delinquency_bucket(days_past_due) == bucket, for a late bucket."""
    lower, upper = bucket_bounds(bucket)
    condition = late_beyond(lower, as_of)
    return condition if upper is None else condition & ~late_beyond(upper, as_of)


def _oldest_unpaid_due() -> tuple[Expression, Expression]:
    """The month (years × 12 + months from zero) and day the oldest unpaid installment, number
    installments_paid + 1, falls due: the start's day of the month, or that month's last day
    when it is shorter (credit.dates.add_months). The day is clamped so that two loans falling
    due on one date are equal here, whatever days they started on."""
    # Cast: PostgreSQL's EXTRACT is numeric, and the year below is an integer division.
    month = Cast(ExtractYear("start_date") * 12 + ExtractMonth("start_date"), IntegerField())
    due_month = month + F("installments_paid")  # the start's month from one, plus one month
    year, month_from_zero = due_month / 12, due_month % 12
    leap = Q(Exact(year % 4, 0)) & (~Q(Exact(year % 100, 0)) | Q(Exact(year % 400, 0)))
    february, thirty_days = Q(Exact(month_from_zero, 1)), Q(In(month_from_zero, [3, 5, 8, 10]))
    month_length = Case(
        When(thirty_days, then=Value(30)),
        When(february & leap, then=Value(29)),
        When(february, then=Value(28)),
        default=Value(31),
    )
    # Every month has a 28th: only a later day looks the month's length up (on every row, the
    # lookup made ordering 179,000 late loans half as slow again).
    start_day = ExtractDay("start_date")
    due_day = Case(
        When(start_date__day__lte=28, then=start_day), default=Least(start_day, month_length)
    )
    return due_month, due_day


def most_late_first() -> list[OrderBy]:
    """An order by days past due, most first, for loans that are late: the earlier the oldest
    unpaid installment fell due, the later the loan; the id breaks ties."""
    due_month, due_day = _oldest_unpaid_due()
    return [due_month.asc(), due_day.asc(), F("id").asc()]


def least_late_first() -> list[OrderBy]:
    """most_late_first the other way round, ties still by id: the fewest days past due first."""
    due_month, due_day = _oldest_unpaid_due()
    return [due_month.desc(), due_day.desc(), F("id").asc()]


ON_TIME = DELINQUENCY_BUCKETS[0][1]
# The buckets a page shows (loans.selectors.LoanView.bucket_shown) and the loans list filters by.
SHOWN_BUCKETS = (ON_TIME, *LATE_BUCKETS, CLOSED)


def in_shown_bucket(bucket: str, as_of: date) -> Q:
    """LoanView.bucket_shown == bucket: a late bucket by its days past due; a loan not late is
    `current` while current (current_on) and `closed` after. Not one of SHOWN_BUCKETS:
    ValueError."""
    if bucket in LATE_BUCKETS:
        return in_late_bucket(bucket, as_of)
    on_time = ~late_beyond(0, as_of)
    if bucket == ON_TIME:
        return on_time & current_on(as_of)
    if bucket == CLOSED:
        return on_time & ~current_on(as_of)
    raise ValueError(f"No bucket {bucket!r}.")
