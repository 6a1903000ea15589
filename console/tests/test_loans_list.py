"""The Loans worklist in the console: the navigation link, the search box, filters by status and
bucket, paging, the order by days past due, each row linking to its loan; the exports of the
Loans and Collections lists (rows as filtered, cells neutralized)."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from core.auth import Role
from customers.tests.factories import CustomerFactory
from loans.models import Loan, LoanOrigin, LoanStatus, Payment
from loans.tests.factories import LoanFactory

pytestmark = pytest.mark.django_db


def body(answer) -> str:
    return b"".join(answer.streaming_content).decode()


@pytest.fixture
def book(set_today):
    """On 20 September 2026: 97 days past due (Asha Rao), 36 days after a partial payment and
    not yet due (Ravi Kumar), a loan closed by payoff (a customer whose name is a formula)."""
    set_today(date(2026, 9, 20))
    rao = CustomerFactory.create(first_name="Asha", last_name="Rao", phone_number=9845012345)
    kumar = CustomerFactory.create(first_name="Ravi", last_name="Kumar", phone_number=9000071234)
    evil = CustomerFactory.create(first_name="=HYPERLINK(1)", last_name="Iyer", age=40)
    npa = LoanFactory.create(customer=rao, start_date=date(2026, 5, 15))
    sma1 = LoanFactory.create(customer=kumar, installments_paid=1)
    Payment.objects.create(loan=sma1, amount=Decimal("8791.59"), paid_on=date(2026, 7, 15))
    Payment.objects.create(loan=sma1, amount=Decimal("5000.00"), paid_on=date(2026, 8, 20))
    upto = LoanFactory.create(customer=kumar, start_date=date(2026, 8, 25))
    closed = LoanFactory.create(
        customer=evil, status=LoanStatus.CLOSED, start_date=date(2026, 1, 1)
    )
    return {"npa": npa.pk, "sma1": sma1.pk, "upto": upto.pk, "closed": closed.pk}


def link(loan_id: int) -> str:
    return f'<a href="/console/loans/{loan_id}/">Loan {loan_id}</a>'


def shown(page: str, book) -> list[str]:
    """The fixture's loans the page lists, in the page's order."""
    found = [(page.index(link(pk)), name) for name, pk in book.items() if link(pk) in page]
    return [name for _, name in sorted(found)]


def test_the_loans_page_is_in_the_navigation_with_its_search_box(officer, book):
    answer = officer.get("/console/loans/")
    page = answer.content.decode()
    assert answer.status_code == 200
    assert '<a href="/console/loans/" aria-current="page">Loans</a>' in page
    assert '<label for="id_q">Search loans</label>' in page
    assert "autofocus" in page.split('name="q"', 1)[1].split(">", 1)[0]
    assert shown(page, book) == ["closed", "upto", "sma1", "npa"]  # newest first
    assert "1–4 of 4" in page
    npa_row = page.split(link(book["npa"]), 1)[1].split("</tr>", 1)[0]
    assert '<a href="/console/customers/' in npa_row
    assert ">Asha Rao</a>" in npa_row
    assert '<td class="num">97</td>' in npa_row
    assert '<span class="badge NPA">NPA</span>' in npa_row
    closed_row = page.split(link(book["closed"]), 1)[1].split("</tr>", 1)[0]
    assert '<span class="badge closed">closed</span>' in closed_row


def test_a_loans_page_is_under_loans_in_the_navigation(officer, book):
    page = officer.get(f"/console/loans/{book['npa']}/").content.decode()
    assert '<a href="/console/loans/" aria-current="page">Loans</a>' in page


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ({"q": "rao"}, ["npa"]),
        ({"q": "98450"}, ["npa"]),
        ({"q": "+91 98450 12345"}, ["npa"]),
        ({"q": "7 12"}, ["upto", "sma1"]),
        ({"status": "closed"}, ["closed"]),
        ({"status": "active", "q": "kumar"}, ["upto", "sma1"]),
        ({"bucket": "SMA-1"}, ["sma1"]),
        ({"bucket": "current"}, ["upto"]),
        ({"bucket": "closed"}, ["closed"]),
        ({"sort": "-days_past_due"}, ["npa", "sma1", "upto", "closed"]),
        ({"sort": "days_past_due"}, ["upto", "closed", "sma1", "npa"]),
    ],
)
def test_the_search_filters_and_order(officer, book, query, found):
    assert shown(officer.get("/console/loans/", query).content.decode(), book) == found


def test_a_loan_number_finds_its_loan(officer, book):
    page = officer.get("/console/loans/", {"q": str(book["sma1"])}).content.decode()
    assert shown(page, book) == ["sma1"]
    assert "No loan matches “nobody”." in officer.get("/console/loans/?q=nobody").content.decode()


def test_a_filter_that_makes_no_sense_is_shown_beside_its_field(officer, book):
    refused = officer.get("/console/loans/", {"bucket": "late"})
    assert refused.status_code == 400
    assert "Select a valid choice. late is not one of the available choices." in (
        refused.content.decode()
    )


def test_the_list_pages_25_at_a_time_keeping_the_filters(officer, set_today):
    set_today(date(2026, 9, 20))
    LoanFactory.create_batch(30, start_date=date(2026, 8, 25))
    first = officer.get("/console/loans/", {"bucket": "current"}).content.decode()
    assert "1–25 of 30" in first
    assert first.count('<a href="/console/loans/') == 25 + 1  # the rows and the navigation
    assert 'href="?bucket=current&amp;page=2">Next</a>' in first
    second = officer.get("/console/loans/", {"bucket": "current", "page": 2}).content.decode()
    assert "26–30 of 30" in second


def test_htmx_gets_only_the_results(officer, book):
    fragment = officer.get(
        "/console/loans/?q=rao", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    ).content.decode()
    assert "<html" not in fragment
    assert link(book["npa"]) in fragment
    assert 'href="/console/loans/export.csv?q=rao">Export CSV</a>' in fragment


def test_the_loans_list_is_for_the_officers_roles(signed_in, book):
    operations = signed_in(Role.OPERATIONS)
    assert operations.get("/console/loans/").status_code == 403
    assert operations.get("/console/loans/export.csv").status_code == 403
    assert operations.get("/console/collections/export.csv").status_code == 403
    assert signed_in(Role.ADMIN).get("/console/loans/").status_code == 200


LOANS_HEADER = (
    "Loan,Customer,First name,Last name,Phone number,Loan amount,Interest rate,Installment,"
    "Tenure,Start date,End date,Status,Repayments left,Days past due,Bucket"
)


def test_the_loans_export_has_the_filtered_rows_in_the_lists_order(officer, book):
    answer = officer.get("/console/loans/export.csv", {"sort": "-days_past_due"})
    assert answer["Content-Disposition"] == 'attachment; filename="loans.csv"'
    lines = body(answer).splitlines()
    assert lines[0] == LOANS_HEADER
    assert [int(line.split(",")[0]) for line in lines[1:]] == [
        book["npa"],
        book["sma1"],
        book["upto"],
        book["closed"],
    ]
    npa = Loan.objects.get(pk=book["npa"])
    assert lines[1] == (
        f"{npa.pk},{npa.customer_id},Asha,Rao,9845012345,100000.00,10.00,8791.59,12,"
        "2026-05-15,2027-05-15,active,12,97,NPA"
    )
    closed = Loan.objects.get(pk=book["closed"])
    assert lines[4] == (
        f"{closed.pk},{closed.customer_id},'=HYPERLINK(1),Iyer,{closed.customer.phone_number},"
        "100000.00,10.00,8791.59,12,2026-01-01,2027-01-01,closed,0,0,closed"
    )
    only = body(officer.get("/console/loans/export.csv", {"q": "kumar", "bucket": "SMA-1"}))
    assert [line.split(",")[0] for line in only.splitlines()[1:]] == [str(book["sma1"])]


def test_the_loans_export_as_a_workbook_neutralizes_formulas(officer, book):
    answer = officer.get("/console/loans/export.xlsx", {"status": "closed"})
    workbook = load_workbook(io.BytesIO(b"".join(answer.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0] == tuple(LOANS_HEADER.split(","))
    assert rows[1][:5] == (
        book["closed"],
        Loan.objects.get(pk=book["closed"]).customer_id,
        "'=HYPERLINK(1)",
        "Iyer",
        Loan.objects.get(pk=book["closed"]).customer.phone_number,
    )
    assert rows[1][11:] == ("closed", 0, 0, "closed")
    assert len(rows) == 2


def test_the_collections_export_has_the_amount_overdue_of_each_loan(officer, book):
    answer = officer.get("/console/collections/export.csv")
    assert answer["Content-Disposition"] == 'attachment; filename="collections.csv"'
    npa, sma1 = Loan.objects.get(pk=book["npa"]), Loan.objects.get(pk=book["sma1"])
    assert body(answer).splitlines() == [
        "Loan,Customer,First name,Last name,Phone number,Days past due,Bucket,Amount overdue,"
        "Installment",
        f"{npa.pk},{npa.customer_id},Asha,Rao,9845012345,97,NPA,35166.36,8791.59",
        f"{sma1.pk},{sma1.customer_id},Ravi,Kumar,9000071234,36,SMA-1,12583.18,8791.59",
    ]
    only = body(officer.get("/console/collections/export.csv", {"bucket": "SMA-1"}))
    assert len(only.splitlines()) == 2
    page = officer.get("/console/collections/", {"bucket": "SMA-1"}).content.decode()
    assert 'href="/console/collections/export.xlsx?bucket=SMA-1">Export Excel</a>' in page


@pytest.mark.parametrize(("chunk", "payment_queries"), [(2000, 1), (1, 2)])
def test_the_collections_export_reads_the_payments_a_batch_of_loans_at_a_time(
    officer, book, monkeypatch, chunk, payment_queries
):
    monkeypatch.setattr("console.views.worklists.CHUNK_ROWS", chunk)
    with CaptureQueriesContext(connection) as seen:
        assert len(body(officer.get("/console/collections/export.csv")).splitlines()) == 3
    payments = [query for query in seen.captured_queries if "loans_payment" in query["sql"]]
    assert len(payments) == payment_queries


def test_an_imported_loan_appears_in_the_export_as_current(officer, set_today):
    set_today(date(2026, 9, 20))
    loan = LoanFactory.create(origin=LoanOrigin.IMPORTED, start_date=date(2026, 1, 1))
    line = body(officer.get("/console/loans/export.csv")).splitlines()[1]
    assert line.endswith(",active,4,0,current")
    assert line.startswith(f"{loan.pk},")
