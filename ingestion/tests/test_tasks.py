import pytest
from celery.exceptions import Retry

from core.jobs import JobBusy, JobStatus
from ingestion import tasks
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
