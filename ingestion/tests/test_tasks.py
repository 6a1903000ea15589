import os
import time

import pytest
from celery.exceptions import Retry

from core.jobs import JobBusy, JobStatus
from ingestion import tasks
from ingestion.models import IngestionJob
from ingestion.tests.conftest import customer

pytestmark = pytest.mark.django_db


def test_the_task_runs_the_job(customers_file):
    from ingestion.jobs import create_job_for_paths

    job = create_job_for_paths({"customers": customers_file(customer(1))})
    tasks.run_ingestion.apply(args=(job.pk,))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED


def test_a_busy_job_is_retried_after_the_lease(monkeypatch, settings):
    settings.JOB_LEASE_SECONDS = 42

    def busy(job_id):
        raise JobBusy("running elsewhere")

    monkeypatch.setattr(tasks, "run_job", busy)
    retried = {}

    def retry(**kwargs):
        retried.update(kwargs)
        raise Retry()

    monkeypatch.setattr(tasks.run_ingestion, "retry", retry)
    with pytest.raises(Retry):
        tasks.run_ingestion.run(3)
    assert retried["countdown"] == 42


def upload_folder(ingest_dir, name, age_seconds):
    folder = ingest_dir / name
    folder.mkdir(parents=True)
    (folder / "customers").write_bytes(b"PK")
    then = time.time() - age_seconds
    os.utime(folder, (then, then))
    return folder


def test_the_hourly_sweep_removes_only_old_folders_no_unfinished_job_holds(ingest_dir, settings):
    assert settings.CELERY_BEAT_SCHEDULE["sweep-orphaned-uploads"] == {
        "task": tasks.sweep_uploads.name,
        "schedule": 3600,
    }
    queued = IngestionJob.objects.create(batch_rows=10)
    running = IngestionJob.objects.create(batch_rows=10, status=JobStatus.RUNNING)
    done = IngestionJob.objects.create(batch_rows=10, status=JobStatus.SUCCEEDED)
    old = 2 * 3600
    kept = [
        upload_folder(ingest_dir, str(queued.pk), old),
        upload_folder(ingest_dir, str(running.pk), old),
        upload_folder(ingest_dir, "9999", 60),  # its request may still be storing it
        upload_folder(ingest_dir, "not-a-job", old),  # not ours
    ]
    swept = [
        upload_folder(ingest_dir, str(done.pk), old),
        upload_folder(ingest_dir, "8888", old),  # its job was rolled back
    ]
    assert tasks.sweep_uploads.apply().get() == 2
    assert [folder.exists() for folder in kept + swept] == [True] * 4 + [False] * 2
    assert tasks.sweep_uploads.apply().get() == 0  # twice over, harmless


def test_the_sweep_without_an_ingest_folder_does_nothing(ingest_dir):
    assert not ingest_dir.exists()
    assert tasks.sweep_uploads.apply().get() == 0
