"""POST /ingest with an Idempotency-Key: a retry gets the same job back and starts nothing."""

import pytest
from django.test.client import encode_multipart

from core.models import IdempotencyRecord
from ingestion.models import IngestionJob
from ingestion.tests.conftest import customer

pytestmark = pytest.mark.django_db

KEY = "ingest-2026-06-15"


def post_ingest(api, files, boundary, key=KEY):
    """A multipart POST with its own boundary, as two attempts of one client would differ."""
    return api.generic(
        "POST",
        "/ingest",
        encode_multipart(boundary, files),
        content_type=f"multipart/form-data; boundary={boundary}",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def upload(path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("customers.xlsx", path.read_bytes())


def test_a_retry_returns_the_same_job_and_enqueues_once(
    api, run_inline, customers_file, django_capture_on_commit_callbacks
):
    path = customers_file(customer(1), customer(2))
    with django_capture_on_commit_callbacks(execute=True):
        first = post_ingest(api, {"customers": upload(path)}, "first-attempt-boundary")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        retry = post_ingest(api, {"customers": upload(path)}, "second-attempt-boundary")

    assert first.status_code == retry.status_code == 202
    job = IngestionJob.objects.get()
    assert first.json() == {
        "job_id": job.pk,
        "status": "queued",
        "status_url": f"http://testserver/ingest/{job.pk}",
    }
    # The stored answer, though the job has run since.
    assert retry.content == first.content
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert job.status == "succeeded"
    assert run_inline == [job.pk]
    assert callbacks == []
    assert IdempotencyRecord.objects.get().scope == "POST /ingest anonymous"


def test_the_same_key_with_another_file_is_422(
    api, run_inline, customers_file, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = post_ingest(api, {"customers": upload(customers_file(customer(1)))}, "b1")
        other = post_ingest(api, {"customers": upload(customers_file(customer(2)))}, "b2")
    assert (first.status_code, other.status_code) == (202, 422)
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert IngestionJob.objects.count() == 1
    assert len(run_inline) == 1


def test_a_refused_upload_is_not_stored_and_enqueues_nothing(
    api, run_inline, customers_file, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks(execute=True):
        refused = post_ingest(api, {"customers": SimpleUploadedFile("c.csv", b"a,b\n")}, "b1")
        accepted = post_ingest(api, {"customers": upload(customers_file(customer(1)))}, "b2")
    assert (refused.status_code, accepted.status_code) == (400, 202)
    assert "Idempotent-Replayed" not in accepted.headers
    assert run_inline == [accepted.json()["job_id"]]
