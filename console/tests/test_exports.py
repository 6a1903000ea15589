"""Lists leaving the console: the filtered rows of customers and decisions as CSV and as an
Excel workbook, streamed, with formula-like cells neutralized in both."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from core.auth import Role
from credit.policy import LoanRequest
from customers.tests.factories import CustomerFactory
from decisions.services import check_eligibility

pytestmark = pytest.mark.django_db


def body(answer) -> bytes:
    return b"".join(answer.streaming_content)


def sheet_rows(answer) -> list[tuple[object, ...]]:
    workbook = load_workbook(io.BytesIO(body(answer)), read_only=True)
    return list(workbook.active.iter_rows(values_only=True))


@pytest.fixture
def two():
    rao = CustomerFactory.create(
        first_name="Asha", last_name="Rao", phone_number=9876543210, age=30
    )
    evil = CustomerFactory.create(
        first_name="=HYPERLINK(1)", last_name="Rao", phone_number=9123456789, age=40
    )
    CustomerFactory.create(first_name="Ravi", last_name="Iyer", phone_number=9000000001)
    return rao, evil


def test_customers_export_as_csv_the_rows_the_search_finds(officer, two):
    rao, evil = two
    answer = officer.get("/console/customers/export.csv", {"q": "rao"})
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    assert answer["Content-Disposition"] == 'attachment; filename="customers.csv"'
    assert body(answer).decode() == (
        "Customer,First name,Last name,Phone number,Age,Monthly salary,Approved limit\r\n"
        f"{rao.pk},Asha,Rao,9876543210,30,100000.00,3600000.00\r\n"
        f"{evil.pk},'=HYPERLINK(1),Rao,9123456789,40,100000.00,3600000.00\r\n"
    )


def test_customers_export_as_a_workbook_with_numbers_as_numbers(officer, two):
    rao, evil = two
    answer = officer.get("/console/customers/export.xlsx", {"q": "rao"})
    assert answer["Content-Disposition"] == 'attachment; filename="customers.xlsx"'
    assert sheet_rows(answer) == [
        (
            "Customer",
            "First name",
            "Last name",
            "Phone number",
            "Age",
            "Monthly salary",
            "Approved limit",
        ),
        (rao.pk, "Asha", "Rao", 9876543210, 30, 100000, 3600000),
        (evil.pk, "'=HYPERLINK(1)", "Rao", 9123456789, 40, 100000, 3600000),
    ]


def test_the_customers_page_links_its_exports_with_the_search(officer, two):
    page = officer.get("/console/customers/", {"q": "rao"}).content.decode()
    assert '<a class="button secondary small" href="/console/customers/export.csv?q=rao">' in page
    assert 'href="/console/customers/export.xlsx?q=rao">Export Excel</a>' in page


def test_an_unknown_format_is_no_such_page(officer):
    assert officer.get("/console/customers/export.pdf").status_code == 404


def test_exports_are_for_the_roles_of_their_list(signed_in):
    operations = signed_in(Role.OPERATIONS)
    assert operations.get("/console/customers/export.csv").status_code == 403
    assert operations.get("/console/decisions/export.xlsx").status_code == 403


@pytest.fixture
def decided():
    customer = CustomerFactory.create()
    small = LoanRequest(Decimal("100000"), Decimal("14"), 12)
    large = LoanRequest(Decimal("9000000"), Decimal("14"), 12)
    first = check_eligibility(customer.pk, small, as_of=date(2026, 6, 1), requested_by="asha")
    second = check_eligibility(customer.pk, large, as_of=date(2026, 6, 10), requested_by="asha")
    return customer, first.decision_id, second.decision_id


def test_decisions_export_the_filtered_rows(officer, decided):
    customer, _, refused = decided
    answer = officer.get("/console/decisions/export.csv", {"outcome": "refused"})
    lines = body(answer).decode().splitlines()
    assert lines[0] == (
        "Decision,Recorded at,As of,Kind,Customer,Outcome,Credit score,Loan amount,Asked rate,"
        "Corrected rate,Tenure,Monthly installment,Loan,Policy version,Reasons,Asked by"
    )
    assert len(lines) == 2
    cells = lines[1].split(",")
    assert cells[0] == str(refused)
    assert cells[2:] == [
        "2026-06-10",
        "Eligibility check",
        str(customer.pk),
        "refused",
        "40",
        "9000000.00",
        "14.00",
        "14.00",
        "12",
        "808084.06",
        "",
        "1",
        "emi_over_half_salary approved_limit_exceeded",
        "asha",
    ]


def test_decisions_export_as_a_workbook_keeps_times_without_a_zone(officer, decided):
    rows = sheet_rows(officer.get("/console/decisions/export.xlsx"))
    assert len(rows) == 3
    recorded_at = rows[1][1]
    assert isinstance(recorded_at, datetime)
    assert recorded_at.tzinfo is None


def test_a_filter_that_makes_no_sense_gives_the_page_with_its_error(officer, decided):
    answer = officer.get(
        "/console/decisions/export.csv", {"since": "2026-06-10", "until": "2026-06-01"}
    )
    assert answer.status_code == 400
    assert "Must not be before the start of the period." in answer.content.decode()


def test_an_empty_list_exports_its_header_alone(officer):
    answer = officer.get("/console/customers/export.csv", {"q": "nobody"})
    assert body(answer).decode() == (
        "Customer,First name,Last name,Phone number,Age,Monthly salary,Approved limit\r\n"
    )


def test_the_first_row_is_read_before_the_answer_starts(officer, two):
    with CaptureQueriesContext(connection) as answering:
        answer = officer.get("/console/customers/export.csv")
    assert any("customers_customer" in query["sql"] for query in answering.captured_queries)
    with CaptureQueriesContext(connection) as sending:
        assert len(body(answer).decode().splitlines()) == 4
    assert sending.captured_queries == []


@pytest.mark.parametrize(
    "address",
    [
        "/console/loans/export.csv?bucket=SMA-9",
        "/console/loans/export.xlsx?status=lost",
        "/console/collections/export.csv?bucket=current",
        "/console/customers/export.csv?q=" + "x" * 500,
    ],
)
def test_a_filter_that_makes_no_sense_exports_nothing(officer, two, address):
    """The list's page with the field's error, never every row instead of the ones asked for."""
    answer = officer.get(address)
    assert (answer.status_code, answer["Content-Type"]) == (400, "text/html; charset=utf-8")
    assert b'class="errorlist"' in answer.content
