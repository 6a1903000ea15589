"""The collections worklist: the amount overdue to the paisa, the loans past due most days
first, the bucket filter; the SQL forms (loans.standing) held to the Python rules."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credit import schedule, standing
from customers.tests.factories import CustomerFactory
from loans.collections import customer_arrears, past_due
from loans.contracts import LateBucket
from loans.models import Loan, LoanOrigin, LoanStatus, Payment
from loans.tests.factories import LoanFactory
from loans.tests.test_standing import LOANS, Terms, _store

START = date(2026, 6, 15)  # LoanFactory: 1,00,000 at 10% for 12 months, EMI 8791.59


def paid(loan, amount, on):
    return Payment.objects.create(loan=loan, amount=Decimal(amount), paid_on=on)


def test_the_late_buckets_are_the_schemas():
    assert tuple(LateBucket) == standing.LATE_BUCKETS == ("SMA-0", "SMA-1", "SMA-2", "NPA")
    assert standing.bucket_bounds("SMA-0") == (0, 30)
    assert standing.bucket_bounds("NPA") == (90, None)
    with pytest.raises(ValueError, match="No late bucket 'current'"):
        standing.bucket_bounds("current")


def test_amount_overdue_counts_installments_due_before_today_less_partial_payments():
    rows = schedule.amortize(Decimal(100000), Decimal(10), 12, Decimal("8791.59"), START)
    late = Terms(tenure=12, installments_paid=1, start_date=START, end_date=date(2027, 6, 15))
    # 15 July, August, September fell due (3 x 8,791.59 = 26,374.77); 8,791.59 and a partial
    # 5,000.00 came in.
    owed = standing.amount_overdue(late, rows, Decimal("13791.59"), date(2026, 9, 20))
    assert owed == Decimal("12583.18")
    assert standing.days_past_due(late, date(2026, 9, 20)) == 36


def test_an_installment_on_its_due_date_is_due_not_overdue():
    rows = schedule.amortize(Decimal(100000), Decimal(10), 12, Decimal("8791.59"), START)
    fresh = Terms(tenure=12, start_date=START, end_date=date(2027, 6, 15))
    assert standing.amount_overdue(fresh, rows, Decimal(0), date(2026, 7, 15)) == 0
    assert standing.amount_overdue(fresh, rows, Decimal(0), date(2026, 7, 16)) == Decimal("8791.59")


def test_after_the_end_the_last_installment_counts_as_the_schedule_has_it():
    rows = schedule.amortize(Decimal(100000), Decimal(10), 12, Decimal("8791.59"), START)
    unpaid = Terms(tenure=12, start_date=START, end_date=date(2027, 6, 15))
    # Eleven of 8,791.59 and the last of 8,791.56.
    assert standing.amount_overdue(unpaid, rows, Decimal(0), date(2027, 7, 1)) == Decimal(
        "105499.05"
    )


def test_closed_and_imported_loans_owe_nothing():
    rows = schedule.amortize(Decimal(100000), Decimal(10), 12, Decimal("8791.59"), START)
    for terms in (
        Terms(start_date=START, status=standing.CLOSED),
        Terms(start_date=START, origin=standing.IMPORTED),
    ):
        assert standing.amount_overdue(terms, rows, Decimal(0), date(2026, 12, 1)) == 0


@given(
    payments=st.lists(
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal(20000), places=2), max_size=14
    ),
    days=st.integers(0, 500),
)
def test_amount_overdue_is_the_unpaid_overdue_installments_less_the_credit(payments, days):
    """Two derivations agree: what fell due less what was paid, and the installments the
    payments left unsettled (credit.schedule) less the credit waiting on the next one."""
    rows = schedule.amortize(Decimal(100000), Decimal(10), 12, Decimal("8791.59"), START)
    records = [schedule.PaymentRecord(amount, START) for amount in payments]
    servicing = schedule.apply_payments(rows, records)
    if servicing.closed:
        return
    as_of = START + timedelta(days=days)
    terms = Terms(installments_paid=servicing.installments_paid, start_date=START)
    unsettled = sum(
        (
            row.amount
            for row, day in zip(rows, servicing.settled_on, strict=True)
            if day is None and row.due_date < as_of
        ),
        Decimal(0),
    )
    expected = max(Decimal(0), unsettled - servicing.credit)
    owed = standing.amount_overdue(terms, rows, sum(payments, Decimal(0)), as_of)
    assert owed == expected
    assert (owed > 0) == (standing.days_past_due(terms, as_of) > 0)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    loans=st.lists(LOANS, min_size=1, max_size=12),
    as_of=st.dates(date(2015, 1, 1), date(2061, 1, 1)),
    bucket=st.sampled_from([None, *standing.LATE_BUCKETS]),
)
def test_the_sql_selects_and_orders_the_loans_past_due_as_the_python_rules_do(loans, as_of, bucket):
    customer = CustomerFactory.create()
    try:
        _store(customer, loans)
        found = list(past_due(as_of, bucket).filter(customer=customer))
        days = [standing.days_past_due(loan, as_of) for loan in found]
        assert days == sorted(days, reverse=True)
        expected = {
            loan.pk
            for loan in Loan.objects.filter(customer=customer)
            if standing.days_past_due(loan, as_of) > 0
            and bucket in (None, standing.delinquency_bucket(standing.days_past_due(loan, as_of)))
        }
        assert {loan.pk for loan in found} == expected
    finally:
        Loan.objects.filter(customer=customer).delete()
        customer.delete()


@pytest.fixture
def book(set_today):
    """On 20 September 2026: a loan 36 days late with a partial payment, one 97 days late, one
    5 days late, one paid up, one imported, one closed."""
    set_today(date(2026, 9, 20))
    sma1 = LoanFactory.create()
    paid(sma1, "8791.59", date(2026, 7, 15))
    paid(sma1, "5000.00", date(2026, 8, 20))
    Loan.objects.filter(pk=sma1.pk).update(installments_paid=1)
    npa = LoanFactory.create(start_date=date(2026, 5, 15))  # No. 1 due 15 June
    sma0 = LoanFactory.create(start_date=date(2026, 8, 15))  # No. 1 due 15 September
    upto_date = LoanFactory.create(start_date=date(2026, 8, 25))
    LoanFactory.create(origin=LoanOrigin.IMPORTED, start_date=date(2026, 1, 1))
    LoanFactory.create(status=LoanStatus.CLOSED, start_date=date(2026, 1, 1))
    return {"sma1": sma1, "npa": npa, "sma0": sma0, "upto_date": upto_date}


@pytest.mark.django_db
def test_collections_lists_the_loans_past_due_most_days_first_with_the_amount(api, book):
    answer = api.get("/collections")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["count"], body["next"], body["previous"]) == (3, None, None)
    assert [
        (row["loan_id"], row["days_past_due"], row["delinquency_bucket"], row["amount_overdue"])
        for row in body["results"]
    ] == [
        (book["npa"].pk, 97, "NPA", 35166.36),  # 15 June, July, August, September
        (book["sma1"].pk, 36, "SMA-1", 12583.18),
        (book["sma0"].pk, 5, "SMA-0", 8791.59),
    ]
    first = body["results"][0]
    assert first["customer"]["id"] == book["npa"].customer_id
    assert first["monthly_installment"] == 8791.59


@pytest.mark.django_db
def test_collections_filters_by_bucket_and_pages(api, book):
    only = api.get("/collections", {"bucket": "SMA-1"}).json()
    assert [row["loan_id"] for row in only["results"]] == [book["sma1"].pk]
    paged = api.get("/collections", {"page_size": 2, "page": 2}).json()
    assert [row["loan_id"] for row in paged["results"]] == [book["sma0"].pk]
    assert paged["previous"].endswith("/collections?page_size=2")
    refused = api.get("/collections", {"bucket": "current"})
    assert refused.status_code == 400
    assert list(refused.json()["error"]["fields"]) == ["bucket"]
    assert api.get("/collections", {"page": 3}).status_code == 404


@pytest.mark.django_db
def test_a_customers_arrears_add_their_loans_past_due(book):
    holder = book["sma1"].customer
    second = LoanFactory.create(customer=holder, start_date=date(2026, 7, 1))  # 2 due: 1 Aug, Sep
    arrears = customer_arrears(holder.pk, date(2026, 9, 20))
    assert [row.loan.loan_id for row in arrears.loans] == [second.pk, book["sma1"].pk]
    assert arrears.amount_overdue == Decimal("12583.18") + Decimal("17583.18")
    assert arrears.days_past_due == 50
    assert customer_arrears(book["upto_date"].customer_id, date(2026, 9, 20)).loans == []


@pytest.mark.django_db
def test_a_reversed_payment_counts_for_nothing_in_the_amount(api, book):
    Payment.objects.filter(amount=Decimal("5000.00")).update(
        reversed_at="2026-09-01T10:00:00+05:30", reversal_reason="bounced"
    )
    rows = api.get("/collections", {"bucket": "SMA-1"}).json()["results"]
    assert rows[0]["amount_overdue"] == 17583.18
