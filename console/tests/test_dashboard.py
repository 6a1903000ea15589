"""The dashboard's figures: counts, exposure against the approved limits, decisions per day and
active loans by delinquency bucket, each chart with its figures in words and in a table."""

from datetime import date
from decimal import Decimal

import pytest

from core.auth import Role
from credit.policy import LoanRequest
from customers.tests.factories import CustomerFactory
from decisions.services import check_eligibility
from ingestion.models import IngestionJob
from loans.models import LoanOrigin, LoanStatus
from loans.tests.factories import LoanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def book():
    """Today 2026-06-15. Current: one on time, one 31 days late (SMA-1), one imported (never
    late), one 95 days late (NPA); not current: a closed loan and one whose term ended."""
    first = CustomerFactory.create(approved_limit=Decimal("1000000.50"))
    second = CustomerFactory.create(approved_limit=Decimal(2000000))
    LoanFactory.create(customer=first, start_date=date(2026, 6, 1))
    LoanFactory.create(customer=first, start_date=date(2026, 4, 15))
    LoanFactory.create(
        customer=second, origin=LoanOrigin.IMPORTED, start_date=date(2025, 1, 10), tenure=24,
        loan_amount=Decimal("250000.25"),
    )  # fmt: skip
    LoanFactory.create(customer=second, start_date=date(2026, 2, 10))
    LoanFactory.create(customer=second, status=LoanStatus.CLOSED)
    LoanFactory.create(customer=second, start_date=date(2024, 1, 1), tenure=12)
    ask = LoanRequest(Decimal(100000), Decimal(12), 12)
    for day, amount in (
        (date(2026, 6, 14), 100000),
        (date(2026, 6, 15), 100000),
        (date(2026, 6, 15), 90000000),
    ):
        check_eligibility(
            first.pk,
            LoanRequest(Decimal(amount), ask.interest_rate, 12),
            as_of=day,
            requested_by="t",
        )
    IngestionJob.objects.create(batch_rows=10, status="succeeded", processed_rows=7, total_rows=7)


def test_the_figures_of_the_book(officer, book):
    page = officer.get("/console/").content.decode()
    assert '<div class="label">Customers</div><div class="value">2</div>' in page
    assert '<div class="label">Active loans</div><div class="value">4</div>' in page
    assert '<div class="label">Exposure (₹)</div><div class="value">5,50,000.25</div>' in page
    assert (
        '<div class="label">Approved limits (₹)</div><div class="value">30,00,000.50</div>' in page
    )
    assert (
        'aria-label="Exposure against the approved limits: 5,50,000.25 of 30,00,000.50 (18.3%)."'
        in page
    )


def test_active_loans_by_bucket_chart_and_table(officer, book):
    page = officer.get("/console/").content.decode()
    assert (
        'aria-label="Active loans by delinquency bucket: '
        'current 2, SMA-0 0, SMA-1 1, SMA-2 0, NPA 1."'
    ) in page
    assert (
        '<tr><td><span class="badge SMA-1">SMA-1</span></td><td class="muted">31–60</td>'
        '<td class="num"><a href="/console/collections/?bucket=SMA-1">1</a></td></tr>' in page
    )
    assert (
        '<tr><td><span class="badge NPA">NPA</span></td><td class="muted">over 90</td>'
        '<td class="num"><a href="/console/collections/?bucket=NPA">1</a></td></tr>' in page
    )


def test_decisions_per_day_chart_and_table(officer, book):
    page = officer.get("/console/").content.decode()
    assert (
        "Approvals and refusals per day, the last 30 days. 17 May: 0 approved, 0 refused;" in page
    )
    assert "14 Jun: 1 approved, 0 refused; 15 Jun: 1 approved, 1 refused." in page
    assert '<tr><td>Mon 15 Jun 2026</td><td class="num">1</td><td class="num">1</td></tr>' in page


def test_the_latest_jobs_link_only_for_operations(signed_in, book):
    job = IngestionJob.objects.get()
    link = f'<a href="/console/ingestion/{job.pk}/">#{job.pk}</a>'
    assert link in signed_in(Role.OPERATIONS).get("/console/").content.decode()
    officer_page = signed_in(Role.OFFICER).get("/console/").content.decode()
    assert link not in officer_page
    assert f"<td>#{job.pk}</td>" in officer_page
