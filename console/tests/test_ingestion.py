"""Ingestion in the console, for the operations role: the upload, the job's live progress, its
counts and reported rows page by page, and the rejected rows as CSV."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import require_or_skip
from console.tests.conftest import form_key
from core.auth import Role
from customers.models import Customer
from ingestion.models import IngestionJob
from ingestion.samples import CUSTOMER_HEADERS, LOAN_HEADERS
from ingestion.tests.conftest import SHARED_DATA, customer, loan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_folder(settings, tmp_path):
    settings.INGEST_DIR = tmp_path / "ingest"


@pytest.fixture
def operations(signed_in):
    return signed_in(Role.OPERATIONS, name="meera")


def workbook(name: str, header, rows) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [list(header), *rows]:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def with_cells(row, **cells):
    """A sheet row (in CUSTOMER_HEADERS' order) with some cells replaced."""
    return [cells.get(header, value) for header, value in zip(CUSTOMER_HEADERS, row, strict=True)]


def upload(client, **files):
    return client.post("/console/ingestion/upload/", {"form_key": form_key(), **files})


def test_the_upload_form_labels_its_files_and_button(operations):
    page = operations.get("/console/ingestion/").content.decode()
    assert '<label for="id_customers">Customers file (customer_data.xlsx)</label>' in page
    assert '<label for="id_loans">Loans file (loan_data.xlsx)</label>' in page
    assert '<button type="submit">Upload</button>' in page
    assert 'enctype="multipart/form-data"' in page


def test_an_upload_runs_the_job_and_its_page_shows_counts_and_errors(operations, run_inline):
    # Two good customers, one with an age out of range (a formula-like name, too); one loan.
    customers = workbook(
        "customer_data.xlsx",
        CUSTOMER_HEADERS,
        [
            customer(1),
            customer(2),
            with_cells(customer(3), Age=12.0, **{"First Name": "=HYPERLINK(1)"}),
        ],
    )
    loans = workbook("loan_data.xlsx", LOAN_HEADERS, [loan(1, 101)])
    answer = upload(operations, customers=customers, loans=loans)
    job = IngestionJob.objects.get()
    assert (answer.status_code, answer["Location"]) == (303, f"/console/ingestion/{job.pk}/")
    assert Customer.objects.count() == 2
    page = operations.get(answer["Location"]).content.decode()
    assert '<span class="badge large succeeded">succeeded</span>' in page
    assert 'aria-valuetext="4 of 4 rows"' in page
    assert (
        '<tr><td>Customers</td><td class="num">2</td><td class="num">0</td>'
        '<td class="num">0</td><td class="num">1</td></tr>'
    ) in page
    assert '<td>customers</td><td class="num">4</td><td class="nowrap">Age</td>' in page
    assert f'<a href="/console/ingestion/{job.pk}/rejected.csv">download CSV</a>' in page
    assert "hx-trigger" not in page  # finished: nothing polls


def test_the_rejected_rows_download_as_csv_without_formulas(operations, run_inline):
    customers = workbook(
        "customer_data.xlsx",
        CUSTOMER_HEADERS,
        [with_cells(customer(3), Age=12.0), with_cells(customer(4), **{"Phone Number": "=1+2"})],
    )
    upload(operations, customers=customers)
    job = IngestionJob.objects.get()
    answer = operations.get(f"/console/ingestion/{job.pk}/rejected.csv")
    assert answer["Content-Type"] == "text/csv"
    assert (
        answer["Content-Disposition"] == f'attachment; filename="ingestion-{job.pk}-rejected.csv"'
    )
    rows = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode())))
    assert rows[0] == ["file", "row", "column", "message"]
    assert [row[:3] for row in rows[1:]] == [
        ["customers", "2", "Age"],
        ["customers", "3", "Phone Number"],
    ]
    assert all(not cell.startswith("=") for row in rows for cell in row)


def test_a_running_job_polls_its_progress_and_reloads_once_finished(operations, tmp_path):
    job = IngestionJob.objects.create(batch_rows=100, total_rows=1082, processed_rows=541)
    page = operations.get(f"/console/ingestion/{job.pk}/").content.decode()
    assert f'hx-get="/console/ingestion/{job.pk}/live/" hx-trigger="every 1s"' in page
    live = operations.get(f"/console/ingestion/{job.pk}/live/")
    assert 'aria-valuetext="541 of 1,082 rows"' in live.content.decode()
    assert 'width="50" height="18"' in live.content.decode()  # the bar, half full
    assert "HX-Refresh" not in live
    IngestionJob.objects.filter(pk=job.pk).update(status="succeeded", processed_rows=1082)
    done = operations.get(f"/console/ingestion/{job.pk}/live/")
    assert done["HX-Refresh"] == "true"


def test_reported_rows_are_paginated(operations):
    problems = [
        {"file": "loans", "row": n, "column": "Tenure", "message": "bad"} for n in range(2, 62)
    ]
    job = IngestionJob.objects.create(batch_rows=100, status="succeeded", errors=problems)
    first = operations.get(f"/console/ingestion/{job.pk}/").content.decode()
    last = operations.get(f"/console/ingestion/{job.pk}/", {"errors": 3}).content.decode()
    assert "1–25 of 60" in first
    assert "51–60 of 60" in last
    assert '<td class="num">61</td>' in last


def test_no_file_or_not_a_spreadsheet_is_said_beside_the_fields(operations):
    nothing = upload(operations)
    page = nothing.content.decode()
    assert nothing.status_code == 400
    assert (
        'id="id_customers-errors"><li>Upload a customers file, a loans file, or both.</li>' in page
    )
    text = upload(operations, loans=SimpleUploadedFile("loan_data.xlsx", b"not a workbook"))
    assert (
        'id="id_loans-errors"><li>Not a spreadsheet: upload the .xlsx file.</li>'
        in text.content.decode()
    )
    assert IngestionJob.objects.count() == 0


def test_the_same_upload_form_sent_twice_starts_one_job(operations, run_inline):
    key = form_key()
    for _ in range(2):
        sent = workbook("customer_data.xlsx", CUSTOMER_HEADERS, [customer(1)])
        operations.post("/console/ingestion/upload/", {"form_key": key, "customers": sent})
    assert IngestionJob.objects.count() == 1


def test_the_original_files_through_the_upload(operations, run_inline):
    if not (SHARED_DATA / "customer_data.xlsx").exists():
        require_or_skip(f"the original files are not in {SHARED_DATA}")
    customers, loans = SHARED_DATA / "customer_data.xlsx", SHARED_DATA / "loan_data.xlsx"
    with customers.open("rb") as people, loans.open("rb") as history:
        files = {
            "customers": SimpleUploadedFile("customer_data.xlsx", people.read()),
            "loans": SimpleUploadedFile("loan_data.xlsx", history.read()),
        }
    upload(operations, **files)
    job = IngestionJob.objects.get()
    assert job.ordered_counts() == {
        "customers": {"created": 300, "updated": 0, "unchanged": 0, "rejected": 0},
        "loans": {"created": 782, "updated": 0, "unchanged": 0, "rejected": 0},
    }


def test_the_progress_of_an_unknown_job_is_the_404_page(operations):
    assert operations.get("/console/ingestion/4242/live/").status_code == 404


def test_preview_shows_what_an_upload_would_do_then_applies_it(operations, run_inline):
    customers = workbook("customer_data.xlsx", CUSTOMER_HEADERS, [customer(1), customer(2)])
    answer = upload(operations, customers=customers, dry_run="true")
    preview = IngestionJob.objects.get()
    assert (answer.status_code, preview.dry_run) == (303, True)
    assert not Customer.objects.exists()
    page = operations.get(answer["Location"]).content.decode()
    assert "A preview: nothing was written." in page
    assert (
        '<tr><td>Customers</td><td class="num">2</td><td class="num">0</td>'
        '<td class="num">0</td><td class="num">0</td></tr>'
    ) in page
    assert "<caption>Customers: would be created (first rows)</caption>" in page
    assert '<tr><td class="num">2</td><td>1</td><td>First1</td>' in page
    applied = operations.post(f"/console/ingestion/{preview.pk}/apply/", {"form_key": form_key()})
    job = IngestionJob.objects.exclude(pk=preview.pk).get()
    assert (applied.status_code, applied["Location"]) == (303, f"/console/ingestion/{job.pk}/")
    assert (job.dry_run, Customer.objects.count()) == (False, 2)


def test_a_job_that_is_no_preview_cannot_be_applied(operations, run_inline):
    upload(operations, customers=workbook("c.xlsx", CUSTOMER_HEADERS, [customer(1)]))
    job = IngestionJob.objects.get()
    refused = operations.post(f"/console/ingestion/{job.pk}/apply/", {"form_key": form_key()})
    assert refused.status_code == 409
    assert (
        f"Ingestion job {job.pk} is not a finished preview: nothing to apply."
        in refused.content.decode()
    )
    assert operations.get(f"/console/ingestion/{job.pk}/apply/").status_code == 405
