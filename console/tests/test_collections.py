"""The collections worklist in the console: the loans past due, most days first, with the amount
overdue; filtered by bucket from the dashboard; the warning on a customer's pages."""

from datetime import date
from decimal import Decimal

import pytest

from loans.models import Loan, Payment
from loans.tests.factories import LoanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def late(set_today):
    """On 20 September 2026: 36 days past due after a partial payment, and 97 days."""
    set_today(date(2026, 9, 20))
    sma1 = LoanFactory.create(customer__first_name="Ravi", customer__last_name="Kumar")
    Payment.objects.create(loan=sma1, amount=Decimal("8791.59"), paid_on=date(2026, 7, 15))
    Payment.objects.create(loan=sma1, amount=Decimal("5000.00"), paid_on=date(2026, 8, 20))
    Loan.objects.filter(pk=sma1.pk).update(installments_paid=1)
    npa = LoanFactory.create(start_date=date(2026, 5, 15))
    LoanFactory.create(start_date=date(2026, 8, 25))  # not yet due
    return {"sma1": sma1, "npa": npa}


def row(days, bucket, amount):
    badge = f'<span class="badge {bucket}">{bucket}</span>'
    return (
        f'<td class="num">{days}</td>\n      <td>{badge}</td>\n      <td class="num">{amount}</td>'
    )


def test_the_worklist_shows_the_loans_past_due_most_days_first(officer, late):
    answer = officer.get("/console/collections/")
    page = answer.content.decode()
    assert answer.status_code == 200
    assert '<a href="/console/collections/" aria-current="page">Collections</a>' in page
    assert '<th class="num">Days past due</th>' in page
    assert '<th class="num">Amount overdue (₹)</th>' in page
    npa_at, sma1_at = (
        page.index(row(97, "NPA", "35,166.36")),
        page.index(row(36, "SMA-1", "12,583.18")),
    )
    assert npa_at < sma1_at
    assert f'<a href="/console/loans/{late["sma1"].pk}/">Loan {late["sma1"].pk}</a>' in page
    assert "1–2 of 2" in page


def test_the_worklist_filters_by_bucket(officer, late):
    page = officer.get("/console/collections/", {"bucket": "SMA-1"}).content.decode()
    assert f"Loan {late['sma1'].pk}</a>" in page
    assert f"Loan {late['npa'].pk}</a>" not in page
    empty = officer.get("/console/collections/", {"bucket": "SMA-2"}).content.decode()
    assert "No loan is past due in SMA-2." in empty
    refused = officer.get("/console/collections/", {"bucket": "nonsense"})
    assert refused.status_code == 400
    assert "Select a valid choice." in refused.content.decode()


def test_the_dashboards_buckets_link_to_the_worklist_filtered(officer, late):
    page = officer.get("/console/").content.decode()
    assert '<a href="/console/collections/?bucket=SMA-1">1</a>' in page
    assert '<a href="/console/collections/?bucket=SMA-0">0</a>' in page


def test_a_customer_past_due_shows_a_warning_on_their_pages(officer, late):
    customer = late["sma1"].customer_id
    for path in (f"/console/customers/{customer}/", f"/console/customers/{customer}/apply/"):
        page = officer.get(path).content.decode()
        assert "<strong>Past due: ₹ 12,583.18 overdue</strong>, 36 days past due at most" in page
    quiet = Loan.objects.get(start_date=date(2026, 8, 25)).customer_id
    assert "Past due" not in officer.get(f"/console/customers/{quiet}/").content.decode()
