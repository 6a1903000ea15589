"""An import never overwrites what the API created: a row whose Customer ID is a customer
registered through the API is rejected with its row number, and so are that customer's loans;
a file updates only the customers files created; re-importing stays idempotent."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from customers.models import Customer, CustomerOrigin
from ingestion.tests.conftest import customer, loan
from loans.models import Loan, LoanOrigin

pytestmark = pytest.mark.django_db


def register(api, phone):
    body = {"first_name": "Asha", "last_name": "Rao", "age": 30, "monthly_income": 50000,
            "phone_number": phone}  # fmt: skip
    response = api.post("/register", body, format="json")
    assert response.status_code == 201
    return response.json()["customer_id"]


def post_files(api, customers_path, loans_path, django_capture_on_commit_callbacks):
    files = {
        "customers": SimpleUploadedFile("c.xlsx", customers_path.read_bytes()),
        "loans": SimpleUploadedFile("l.xlsx", loans_path.read_bytes()),
    }
    with django_capture_on_commit_callbacks(execute=True):
        accepted = api.post("/ingest", files, format="multipart")
    assert accepted.status_code == 202
    return api.get(f"/ingest/{accepted.json()['job_id']}").json()


def test_a_file_cannot_take_over_a_customer_registered_through_the_api(
    api, run_inline, customers_file, loans_file, django_capture_on_commit_callbacks
):
    first, second = register(api, 9876543210), register(api, 9876543211)
    other = second + 1  # a history file's Customer IDs are the ids registration hands out
    api.post(
        "/create-loan",
        {"customer_id": first, "loan_amount": 100000, "interest_rate": 14, "tenure": 12},
        format="json",
    )
    body = post_files(
        api,
        customers_file(customer(first, first_name="Mallory"), customer(other)),
        loans_file(loan(first, 500), loan(second, 501), loan(other, 502)),
        django_capture_on_commit_callbacks,
    )
    assert body["counts"] == {
        "customers": {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1},
        "loans": {"created": 1, "updated": 0, "unchanged": 0, "rejected": 2},
    }
    registered = "Customer ID {id} is a customer registered through the API; {rest}"
    assert body["errors"] == [
        {"file": "customers", "row": 2, "column": "Customer ID", "message": registered.format(
            id=first, rest="a file may only create or update customers that files created.")},
        {"file": "loans", "row": 2, "column": "Customer ID", "message": registered.format(
            id=first, rest="their loans are booked here, never imported.")},
        {"file": "loans", "row": 3, "column": "Customer ID", "message": registered.format(
            id=second, rest="their loans are booked here, never imported.")},
    ]  # fmt: skip
    asha = Customer.objects.get(pk=first)
    assert (asha.first_name, asha.origin) == ("Asha", CustomerOrigin.REGISTERED)
    assert list(asha.loans.values_list("origin", flat=True)) == [LoanOrigin.BOOKED]
    assert Customer.objects.get(pk=other).origin == CustomerOrigin.IMPORTED
    assert Loan.objects.get(customer_id=other).origin == LoanOrigin.IMPORTED


def test_a_file_updates_the_customers_files_created_and_a_re_import_changes_nothing(
    api, run_inline, customers_file, loans_file, django_capture_on_commit_callbacks
):
    files = (customers_file(customer(7)), loans_file(loan(7, 70)))
    first = post_files(api, *files, django_capture_on_commit_callbacks)
    again = post_files(api, *files, django_capture_on_commit_callbacks)
    assert first["counts"]["customers"]["created"] == 1
    assert again["counts"] == {
        "customers": {"created": 0, "updated": 0, "unchanged": 1, "rejected": 0},
        "loans": {"created": 0, "updated": 0, "unchanged": 1, "rejected": 0},
    }
    changed = post_files(
        api,
        customers_file(customer(7, None, **{"Monthly Salary": 60000.0})),
        loans_file(loan(7, 70)),
        django_capture_on_commit_callbacks,
    )
    assert changed["counts"]["customers"] == {
        "created": 0, "updated": 1, "unchanged": 0, "rejected": 0
    }  # fmt: skip
    assert Customer.objects.get(pk=7).monthly_salary == 60000


def test_a_file_cannot_rename_a_customer_the_service_has_acted_for(
    api, run_inline, customers_file, loans_file, django_capture_on_commit_callbacks
):
    """Issue 18: customer 121, Abbey Silva, imported, then booked a loan here; a later file
    calling 121 Alisa Sierra with another phone is rejected on that row, and Abbey stays
    Abbey. Customer 122, whom the service never dealt with, is still updated by the file."""
    abbey = customer(121, 9_811_100_121, **{"First Name": "Abbey", "Last Name": "Silva"})
    first = post_files(
        api, customers_file(abbey, customer(122)), loans_file(), django_capture_on_commit_callbacks
    )
    assert first["counts"]["customers"]["created"] == 2
    booked = api.post(
        "/create-loan",
        {"customer_id": 121, "loan_amount": 100000, "interest_rate": 14, "tenure": 12},
        format="json",
    )
    assert booked.json()["loan_approved"] is True
    alisa = customer(121, 9_822_200_121, **{"First Name": "Alisa", "Last Name": "Sierra"})
    renamed = customer(122, None, **{"First Name": "Renamed"})
    body = post_files(
        api, customers_file(alisa, renamed), loans_file(), django_capture_on_commit_callbacks
    )
    assert body["counts"]["customers"] == {
        "created": 0, "updated": 1, "unchanged": 0, "rejected": 1
    }  # fmt: skip
    assert body["errors"] == [
        {"file": "customers", "row": 2, "column": "First Name", "message": (
            "Customer ID 121 has decisions, loans or payments made by this service; a file may "
            "not change their First Name, Last Name, Phone Number.")},
    ]  # fmt: skip
    kept = Customer.objects.get(pk=121)
    assert (kept.first_name, kept.last_name, kept.phone_number) == ("Abbey", "Silva", 9811100121)
    assert Customer.objects.get(pk=122).first_name == "Renamed"
    again = post_files(api, customers_file(abbey), loans_file(), django_capture_on_commit_callbacks)
    assert again["counts"]["customers"] == {
        "created": 0, "updated": 0, "unchanged": 1, "rejected": 0
    }  # fmt: skip


def test_a_salary_or_limit_change_to_a_customer_with_a_decision_is_rejected_too(
    api, run_inline, customers_file, loans_file, django_capture_on_commit_callbacks
):
    post_files(api, customers_file(customer(7)), loans_file(), django_capture_on_commit_callbacks)
    checked = api.post(
        "/check-eligibility",
        {"customer_id": 7, "loan_amount": 10000, "interest_rate": 14, "tenure": 12},
        format="json",
    )
    assert checked.status_code == 200
    raised = customer(7, None, **{"Monthly Salary": 90000.0, "Approved Limit": 3300000.0})
    body = post_files(api, customers_file(raised), loans_file(), django_capture_on_commit_callbacks)
    assert body["errors"] == [
        {"file": "customers", "row": 2, "column": "Monthly Salary", "message": (
            "Customer ID 7 has decisions, loans or payments made by this service; a file may "
            "not change their Monthly Salary, Approved Limit.")},
    ]  # fmt: skip
    assert Customer.objects.get(pk=7).monthly_salary == 50000
