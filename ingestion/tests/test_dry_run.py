"""A dry run (POST /ingest with dry_run=true) is the same pipeline inside a transaction rolled
back at its end: it answers what the upload would create, update, leave and reject, with the
first rows of each, and writes nothing; applying it runs the upload for real."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from customers.models import Customer
from decisions.models import CreditDecision
from ingestion.models import IngestionJob, StagedCustomer, StagedLoan
from ingestion.services import apply_preview
from ingestion.tests.conftest import customer, ingest, loan
from loans.models import Loan

pytestmark = pytest.mark.django_db


def post(api, capture, **paths):
    """A dry run of these files (POST /ingest?dry_run=true), run as it commits: its job."""
    files = {
        kind: SimpleUploadedFile(f"{kind}.xlsx", path.read_bytes()) for kind, path in paths.items()
    }
    with capture(execute=True):
        accepted = api.post("/ingest?dry_run=true", files, format="multipart")
    assert accepted.status_code == 202, accepted.content
    return api.get(f"/ingest/{accepted.json()['job_id']}").json()


def table_sizes():
    return [
        model.objects.count()
        for model in (Customer, Loan, CreditDecision, StagedCustomer, StagedLoan)
    ]


def cells(cid, first, salary, phone=None, age=30):
    return {"Customer ID": cid, "First Name": first, "Last Name": f"Last{cid}", "Age": age,
            "Phone Number": phone or 9_000_000_000 + cid, "Monthly Salary": salary,
            "Approved Limit": "1800000.00"}  # fmt: skip


def test_a_dry_run_answers_what_the_upload_would_do_and_writes_nothing(
    api, run_inline, customers_file, loans_file, django_capture_on_commit_callbacks
):
    ingest(customers=customers_file(customer(7), customer(9)))
    before = table_sizes()
    upload = {
        "customers": customers_file(
            customer(7, None, **{"Monthly Salary": 60000.0}),  # updated
            customer(8),  # created
            customer(9),  # unchanged
            customer(10, None, Age=12.0),  # rejected
        ),
        "loans": loans_file(loan(8, 80)),  # its customer is created by the same upload
    }
    body = post(api, django_capture_on_commit_callbacks, **upload)
    assert table_sizes() == before
    assert Customer.objects.get(pk=7).monthly_salary == 50000
    assert (body["status"], body["dry_run"]) == ("succeeded", True)
    assert body["counts"] == {
        "customers": {"created": 1, "updated": 1, "unchanged": 1, "rejected": 1},
        "loans": {"created": 1, "updated": 0, "unchanged": 0, "rejected": 0},
    }
    assert body["errors"] == [
        {"file": "customers", "row": 5, "column": "Age",
         "message": "Must be between 18 and 100, got 12."},
    ]  # fmt: skip
    assert body["preview"]["customers"] == {
        "created": [{"row": 3, "cells": cells(8, "First8", "50000.00")}],
        "updated": [{"row": 2, "cells": cells(7, "First7", "60000.00")}],
        "unchanged": [{"row": 4, "cells": cells(9, "First9", "50000.00")}],
        "rejected": [{"row": 5, "cells": {**cells(10, "First10", "50000.00"), "Age": None}}],
    }
    assert [entry["row"] for entry in body["preview"]["loans"]["created"]] == [2]
    with django_capture_on_commit_callbacks(execute=True):
        applied = apply_preview(body["job_id"])
    applied.refresh_from_db()
    assert applied.dry_run is False
    assert applied.counts == body["counts"]
    assert Customer.objects.get(pk=7).monthly_salary == 60000
    assert Loan.objects.filter(customer_id=8).count() == 1


def test_a_dry_run_reports_the_rename_of_a_customer_the_service_has_acted_for(
    api, run_inline, customers_file, loans_file, django_capture_on_commit_callbacks
):
    ingest(customers=customers_file(customer(121, None, **{"First Name": "Abbey"})))
    api.post(
        "/check-eligibility",
        {"customer_id": 121, "loan_amount": 10000, "interest_rate": 14, "tenure": 12},
        format="json",
    )
    before = table_sizes()
    renamed = customers_file(customer(121, None, **{"First Name": "Alisa"}))
    body = post(api, django_capture_on_commit_callbacks, customers=renamed)
    assert table_sizes() == before
    assert body["counts"]["customers"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
    }
    assert body["errors"][0]["message"] == (
        "Customer ID 121 has decisions, loans or payments made by this service; a file may not "
        "change their First Name."
    )


def test_only_a_succeeded_preview_can_be_applied(customers_file):
    from ingestion.errors import NotAPreview

    job = ingest(customers=customers_file(customer(1)))
    with pytest.raises(NotAPreview):
        apply_preview(job.pk)
    assert IngestionJob.objects.count() == 1


def test_the_flag_is_true_or_false_and_nothing_else(api, customers_file):
    sheet = SimpleUploadedFile("customers.xlsx", customers_file(customer(1)).read_bytes())
    refused = api.post("/ingest?dry_run=yes", {"customers": sheet}, format="multipart")
    assert (refused.status_code, refused.json()["error"]["fields"]) == (
        400,
        {"dry_run": ["Must be a valid boolean."]},
    )
    assert IngestionJob.objects.count() == 0
