import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.jobs import JobStatus
from customers.models import Customer
from ingestion import jobs
from ingestion.models import IngestionJob
from ingestion.tests.conftest import customer, loan

pytestmark = pytest.mark.django_db


def upload(path, field):
    return SimpleUploadedFile(f"{field}.xlsx", path.read_bytes())


def test_post_ingest_accepts_both_files_and_the_status_tells_the_outcome(
    api, run_inline, customers_file, loans_file, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post(
            "/ingest",
            {
                "customers": upload(customers_file(customer(1), customer(2)), "customers"),
                "loans": upload(loans_file(loan(1, 10), loan(5, 11)), "loans"),
            },
            format="multipart",
        )
    assert answer.status_code == 202
    body = answer.json()
    job_id = body["job_id"]
    assert body == {
        "job_id": job_id,
        "status": "queued",
        "status_url": f"http://testserver/ingest/{job_id}",
    }
    assert run_inline == [job_id]
    status = api.get(f"/ingest/{job_id}/")
    assert status.status_code == 200
    result = status.json()
    assert result["status"] == "succeeded"
    assert result["progress"] == {"processed_rows": 4, "total_rows": 4}
    assert result["counts"] == {
        "customers": {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0},
        "loans": {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1},
    }
    assert result["errors"] == [
        {"file": "loans", "row": 3, "column": "Customer ID", "message": "No customer with id 5."}
    ]
    assert result["warnings"] == []
    assert result["started_at"].endswith("+05:30")
    assert result["finished_at"] is not None
    # The uploads were only needed until the job ended.
    assert not any(Path(entry["path"]).exists() for entry in result_files(job_id))
    assert not any(Path(entry["path"]).parent.exists() for entry in result_files(job_id))


def result_files(job_id):
    return IngestionJob.objects.get(pk=job_id).files.values()


def test_a_queued_job_reports_no_times_yet(api, customers_file):
    job = jobs.create_job({"customers": upload(customers_file(customer(1)), "customers")})
    body = api.get(f"/ingest/{job.pk}").json()
    assert body["status"] == "queued"
    assert (body["started_at"], body["finished_at"]) == (None, None)
    assert body["progress"] == {"processed_rows": 0, "total_rows": 0}


def test_post_ingest_without_files_names_both_fields(api):
    answer = api.post("/ingest", {}, format="multipart")
    assert answer.status_code == 400
    message = "Upload a customers file, a loans file, or both."
    assert answer.json()["error"]["fields"] == {"customers": [message], "loans": [message]}


def test_post_ingest_refuses_what_is_not_a_spreadsheet(api):
    csv = SimpleUploadedFile("loans.csv", b"Customer ID,Loan ID\n1,2\n")
    answer = api.post("/ingest", {"loans": csv}, format="multipart")
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"] == {
        "loans": ["Not a spreadsheet: upload the .xlsx file."]
    }
    assert not IngestionJob.objects.exists()


def test_post_ingest_refuses_json(api):
    answer = api.post("/ingest", {"customers": "x"}, format="json")
    assert answer.status_code == 415


def test_unknown_job_is_404(api):
    answer = api.get("/ingest/999")
    assert answer.status_code == 404
    assert answer.json()["error"] == {
        "code": "not_found",
        "message": "No ingestion job with id 999.",
        "fields": {},
    }


@pytest.mark.django_db(transaction=True)
def test_without_redis_the_job_runs_in_a_thread_after_commit(
    api, settings, customers_file, json_lines
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    answer = api.post(
        "/ingest",
        {"customers": upload(customers_file(customer(1)), "customers")},
        format="multipart",
        HTTP_X_REQUEST_ID="upload-in-a-thread",
    )
    assert answer.status_code == 202
    job_id = answer.json()["job_id"]
    # The in-memory test database locks whole tables: wait for the thread, then read.
    for worker in [t for t in threading.enumerate() if t.name == f"job-{job_id}"]:
        worker.join(timeout=30)
    assert api.get(f"/ingest/{job_id}").json()["status"] == JobStatus.SUCCEEDED
    assert Customer.objects.filter(pk=1).exists()
    # The thread's records carry the id of the request that started it.
    finished = [line for line in json_lines() if line["logger"] == "ingestion.jobs"]
    assert [line["request_id"] for line in finished] == ["upload-in-a-thread"]


def test_uploads_are_removed_when_storing_them_fails(customers_file, ingest_dir):
    class FullDisk:
        name: str | None = "loans.xlsx"

        def chunks(self) -> Iterator[bytes]:
            yield b"PK\x03\x04 first chunk"
            raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        jobs.create_job(
            {"customers": upload(customers_file(customer(1)), "customers"), "loans": FullDisk()}
        )
    assert list(ingest_dir.iterdir()) == []


def test_post_ingest_names_a_form_value_that_is_not_a_file(api):
    answer = api.post("/ingest", {"customers": "x"})
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"] == {
        "customers": ["The submitted data was not a file. Check the encoding type on the form."]
    }


def test_post_ingest_refuses_an_empty_file(api):
    empty = SimpleUploadedFile("customers.xlsx", b"")
    answer = api.post("/ingest", {"customers": empty}, format="multipart")
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"] == {"customers": ["The submitted file is empty."]}


def test_an_empty_form_value_counts_as_no_file(api):
    answer = api.post("/ingest", {"customers": ""}, format="multipart")
    message = "Upload a customers file, a loans file, or both."
    assert answer.json()["error"]["fields"] == {"customers": [message], "loans": [message]}
