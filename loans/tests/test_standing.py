"""Where a loan stands: each rule of credit/standing.py, and its SQL forms (loans/standing.py)
held to its Python form over generated loans."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import sql
from credit import standing
from credit.dates import add_months
from credit.emi import monthly_installment
from credit.schedule import amortize
from credit.scoring import LoanHistory
from customers.tests.factories import CustomerFactory
from loans import standing as loan_standing
from loans.models import Loan
from loans.selectors import customer_loans

START = date(2026, 1, 15)
END = add_months(START, 12)


@dataclass(frozen=True)
class Terms:
    tenure: int = 12
    installments_paid: int = 0
    start_date: date = START
    end_date: date = END
    status: str = standing.ACTIVE
    origin: str = standing.BOOKED


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (0, "current"),
        (1, "SMA-0"),
        (30, "SMA-0"),
        (31, "SMA-1"),
        (60, "SMA-1"),
        (61, "SMA-2"),
        (90, "SMA-2"),
        (91, "NPA"),
        (400, "NPA"),
    ],
)
def test_delinquency_buckets_follow_the_rbi_classification(days, bucket):
    assert standing.delinquency_bucket(days) == bucket


def test_days_past_due_counts_from_the_oldest_unpaid_due_date():
    assert standing.days_past_due(Terms(), date(2026, 2, 15)) == 0  # due today is not late
    assert standing.days_past_due(Terms(), date(2026, 2, 16)) == 1
    # No. 2 was due 15 March.
    assert standing.days_past_due(Terms(installments_paid=1), date(2026, 4, 15)) == 31
    assert standing.days_past_due(Terms(installments_paid=12), date(2030, 1, 1)) == 0


def test_an_imported_loan_is_never_past_due():
    imported = Terms(origin=standing.IMPORTED)
    assert standing.days_past_due(imported, date(2026, 9, 20)) == 0
    assert standing.installments_settled(imported, date(2026, 9, 20)) == 8


def test_a_closed_loan_has_settled_every_installment():
    closed = Terms(status=standing.CLOSED, installments_paid=3)
    assert standing.installments_settled(closed, date(2026, 5, 1)) == 12
    assert standing.standing_on(closed, date(2026, 5, 1)) == standing.Standing(
        status=standing.CLOSED, repayments_left=0, days_past_due=0, delinquency_bucket="current"
    )


def test_the_last_day_of_the_term_is_still_current():
    end = add_months(START, 12)
    assert standing.is_current(standing.ACTIVE, end, end)
    assert not standing.is_current(standing.ACTIVE, end, end + timedelta(days=1))
    assert not standing.is_current(standing.CLOSED, end, START)


def test_history_loans_count_installments_paid_once_their_due_date_passes():
    rows = amortize(Decimal(100000), Decimal(10), 12, Decimal("8791.59"), START)
    servicing = standing.settled_by_date(rows, date(2026, 4, 15))
    assert servicing.installments_paid == 3


LOANS = st.builds(
    Terms,
    tenure=st.integers(1, 360),
    installments_paid=st.integers(0, 360),
    start_date=st.dates(date(2015, 1, 1), date(2030, 12, 31)),
    end_date=st.dates(date(2015, 2, 1), date(2060, 12, 31)),
    status=st.sampled_from([standing.ACTIVE, standing.CLOSED]),
    origin=st.sampled_from([standing.BOOKED, standing.IMPORTED]),
)
AS_OF = st.dates(date(2015, 1, 1), date(2061, 1, 1))


@given(loan=LOANS, as_of=AS_OF)
def test_an_imported_loans_schedule_settles_what_its_terms_count_as_settled(loan, as_of):
    imported = Terms(**{**loan.__dict__, "origin": standing.IMPORTED, "status": standing.ACTIVE})
    installment = monthly_installment(Decimal(100000), Decimal(12), imported.tenure)
    rows = amortize(Decimal(100000), Decimal(12), imported.tenure, installment, loan.start_date)
    by_date = standing.settled_by_date(rows, as_of)
    assert by_date.installments_paid == standing.installments_settled(imported, as_of)


@given(loan=LOANS, as_of=AS_OF)
def test_the_score_and_the_views_agree_on_what_is_current(loan, as_of):
    history = LoanHistory(
        amount=Decimal(1),
        tenure=loan.tenure,
        monthly_installment=Decimal(1),
        emis_paid_on_time=0,
        start_date=loan.start_date,
        end_date=loan.end_date,
        closed=loan.status == standing.CLOSED,
    )
    assert history.is_current(as_of) == (standing.status_on(loan, as_of) == standing.ACTIVE)


def _store(customer, loans: list[Terms]) -> list[int]:
    ids = []
    for terms in loans:
        end = max(terms.end_date, terms.start_date + timedelta(days=1))
        stored = Loan.objects.create(
            customer=customer,
            loan_amount=Decimal(1000),
            tenure=terms.tenure,
            interest_rate=Decimal(10),
            monthly_installment=Decimal(100),
            installments_paid=min(terms.installments_paid, terms.tenure),
            start_date=terms.start_date,
            end_date=end,
            status=terms.status,
            origin=terms.origin,
        )
        ids.append(stored.pk)
    return ids


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(loans=st.lists(LOANS, min_size=1, max_size=12), as_of=AS_OF)
def test_the_sql_form_of_current_selects_exactly_the_loans_the_python_form_calls_current(
    loans, as_of
):
    customer = CustomerFactory.create()
    try:
        _store(customer, loans)
        table = sql.table(Loan)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT l.id FROM {table} l WHERE l.customer_id = %s"  # noqa: S608
                f" AND {loan_standing.current_sql('l')}",
                [customer.pk, *loan_standing.current_params(sql.db_date(as_of))],
            )
            by_sql = {row[0] for row in cursor.fetchall()}
        mine = Loan.objects.filter(customer=customer)
        by_queryset = set(mine.current(as_of).values_list("pk", flat=True))
        by_python = {
            loan.pk for loan in mine if standing.is_current(loan.status, loan.end_date, as_of)
        }
        assert by_sql == by_python
        assert by_queryset == by_python
        # view-loans runs the same condition and shows the Python form's status.
        active = customer_loans(customer.pk, as_of=as_of, status=standing.ACTIVE)
        closed = customer_loans(customer.pk, as_of=as_of, status=standing.CLOSED)
        assert {view.loan_id for view in active} == by_python
        assert {view.status for view in active} <= {standing.ACTIVE}
        assert {view.status for view in closed} <= {standing.CLOSED}
    finally:
        Loan.objects.filter(customer=customer).delete()
        customer.delete()


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    loans=st.lists(LOANS, min_size=1, max_size=12),
    as_of=AS_OF,
    days=st.sampled_from([0, 1, 29, 30, 31, 60, 90, 365]),
)
def test_the_sql_form_of_late_selects_exactly_the_loans_the_python_form_calls_late(
    loans, as_of, days
):
    customer = CustomerFactory.create()
    try:
        _store(customer, loans)
        mine = Loan.objects.filter(customer=customer)
        by_sql = set(mine.late_beyond(days, as_of).values_list("pk", flat=True))
        by_python = {
            loan.pk
            for loan in Loan.objects.filter(customer=customer)
            if standing.days_past_due(loan, as_of) > days
        }
        assert by_sql == by_python
    finally:
        Loan.objects.filter(customer=customer).delete()
        customer.delete()


@pytest.mark.django_db
def test_late_beyond_counts_from_the_day_after_the_due_date_at_a_months_end_too():
    customer = CustomerFactory.create()
    started = [date(2026, 5, 14), date(2026, 5, 15), date(2026, 5, 31), date(2026, 6, 1)]
    ids = dict(
        zip(started, _store(customer, [Terms(start_date=day) for day in started]), strict=True)
    )
    loans = Loan.objects.filter(customer=customer)
    # On 15 July, No. 1 of the loan from 14 May is 31 days late; from 15 May, 30.
    assert set(loans.late_beyond(30, date(2026, 7, 15)).values_list("pk", flat=True)) == {
        ids[date(2026, 5, 14)]
    }
    # On 1 July, the loan from 31 May fell due on 30 June (1 day late); from 1 June, today.
    assert set(loans.late_beyond(0, date(2026, 7, 1)).values_list("pk", flat=True)) == {
        ids[date(2026, 5, 14)],
        ids[date(2026, 5, 15)],
        ids[date(2026, 5, 31)],
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("year", "days_late", "most_late", "least_late"),
    [
        # February 2027 has 28 days: loans from 28-31 January all fall due on the 28th.
        (
            2027,
            {31: 10, 30: 10, 29: 10, 28: 10, 27: 11},
            [27, 31, 30, 29, 28],
            [31, 30, 29, 28, 27],
        ),
        # February 2028 has 29: the loan from 28 January falls due a day before the others.
        (
            2028,
            {31: 10, 30: 10, 29: 10, 28: 11, 27: 12},
            [27, 28, 31, 30, 29],
            [31, 30, 29, 28, 27],
        ),
    ],
)
def test_loans_falling_due_on_a_short_months_last_day_are_ordered_by_id(
    year, days_late, most_late, least_late
):
    """Started on the 31st, 30th, 29th, 28th and 27th of January, in that order of ids; on
    10 March those due on February's last day are equally late, and follow their ids."""
    customer = CustomerFactory.create()
    started = [31, 30, 29, 28, 27]
    _store(customer, [Terms(start_date=date(year, 1, day)) for day in started])
    as_of = date(year, 3, 10)
    loans = Loan.objects.filter(customer=customer).filter(loan_standing.late_beyond(0, as_of))
    assert {loan.start_date.day: standing.days_past_due(loan, as_of) for loan in loans} == (
        days_late
    )
    for order, expected in (
        (loan_standing.most_late_first(), most_late),
        (loan_standing.least_late_first(), least_late),
    ):
        days = loans.order_by(*order).values_list("start_date__day", flat=True)
        assert list(days) == expected


# Starts near months' ends, so that many loans fall due on a short month's last day together.
MONTH_END_LOANS = st.builds(
    Terms,
    installments_paid=st.integers(0, 11),
    start_date=st.builds(
        lambda year, month, back: add_months(date(year, month, 1), 1) - timedelta(days=back),
        st.integers(2026, 2028),
        st.integers(1, 12),
        st.integers(1, 5),
    ),
)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    loans=st.lists(MONTH_END_LOANS, min_size=2, max_size=12),
    as_of=st.dates(date(2026, 2, 1), date(2030, 1, 31)),
)
def test_the_sql_orders_late_loans_by_the_python_days_past_due_then_id(loans, as_of):
    customer = CustomerFactory.create()
    try:
        _store(customer, loans)
        late = Loan.objects.filter(customer=customer).filter(loan_standing.late_beyond(0, as_of))
        days = {loan.pk: standing.days_past_due(loan, as_of) for loan in late}
        for order, sign in (
            (loan_standing.most_late_first(), -1),
            (loan_standing.least_late_first(), 1),
        ):
            by_sql = list(late.order_by(*order).values_list("pk", flat=True))
            assert by_sql == sorted(days, key=lambda pk: (sign * days[pk], pk))
    finally:
        Loan.objects.filter(customer=customer).delete()
        customer.delete()
