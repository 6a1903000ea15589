"""The admin shows ingestion jobs, read-only: status, counts, errors and warnings."""

import pytest

from ingestion.models import IngestionJob
from ingestion.tests.conftest import customer, ingest, loan

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(customers_file, loans_file):
    """One customer; a loan kept, one repeated and one for a customer nobody has."""
    return ingest(customers_file(customer(1)), loans_file(loan(1, 10), loan(1, 10), loan(2, 11)))


def test_the_job_list_shows_status_and_progress(client, admin_user, job):
    client.force_login(admin_user)
    page = client.get("/admin/ingestion/ingestionjob/").content.decode()
    assert f'<a href="/admin/ingestion/ingestionjob/{job.pk}/change/">{job.pk}</a>' in page
    assert '<td class="field-status">Succeeded</td>' in page
    assert '<td class="field-processed_rows">4</td><td class="field-total_rows">4</td>' in page


def test_a_job_shows_its_files_counts_errors_and_warnings(client, admin_user, job):
    client.force_login(admin_user)
    page = client.get(f"/admin/ingestion/ingestionjob/{job.pk}/change/").content.decode()
    customers_file, loans_file = (job.files[kind]["name"] for kind in ("customers", "loans"))
    assert f"customers: {customers_file}, loans: {loans_file}" in page
    assert (
        "<tr><td>customers</td><td>1</td><td>0</td><td>0</td><td>0</td></tr>"
        "<tr><td>loans</td><td>1</td><td>0</td><td>0</td><td>2</td></tr>"
    ) in page
    assert (
        "<tr><td>loans</td><td>4</td><td>Customer ID</td><td>No customer with id 2.</td></tr>"
    ) in page


def test_warnings_are_shown_and_messages_are_text_not_markup(client, admin_user):
    shared = "Loan ID 10 is used by more than one customer in this file; stored as loan 12."
    job = IngestionJob.objects.create(
        batch_rows=10,
        errors=[{"file": "loans", "row": 2, "column": "Loan ID", "message": "<b>7</b>"}],
        warnings=[{"file": "loans", "row": 3, "column": "Loan ID", "message": shared}],
    )
    client.force_login(admin_user)
    page = client.get(f"/admin/ingestion/ingestionjob/{job.pk}/change/").content.decode()
    assert "<td>loans</td><td>2</td><td>Loan ID</td><td>&lt;b&gt;7&lt;/b&gt;</td>" in page
    assert f"<td>loans</td><td>3</td><td>Loan ID</td><td>{shared}</td>" in page


def test_jobs_cannot_be_added_changed_or_deleted(client, admin_user, job):
    client.force_login(admin_user)
    assert client.get("/admin/ingestion/ingestionjob/add/").status_code == 403
    change = client.post(f"/admin/ingestion/ingestionjob/{job.pk}/change/", {"status": "failed"})
    assert change.status_code == 403
    assert client.post(f"/admin/ingestion/ingestionjob/{job.pk}/delete/").status_code == 403
    job.refresh_from_db()
    assert job.status == "succeeded"
