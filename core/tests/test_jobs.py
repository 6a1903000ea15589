"""core.jobs: one run at a time holds a job; a job whose runs keep dying is failed, not retried
for ever (shown on an ingestion job, the first app to use it)."""

import pytest

from core.jobs import JobBusy, JobStatus, LeaseLost, claim
from ingestion.jobs import JobRun
from ingestion.models import IngestionJob
from ingestion.services import run_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def job():
    return IngestionJob.objects.create(batch_rows=10)


def test_a_live_run_keeps_the_job_and_a_silent_one_loses_it(job, settings):
    first = claim(IngestionJob, job.pk)
    assert first is not None
    with pytest.raises(JobBusy):
        claim(IngestionJob, job.pk)
    settings.JOB_LEASE_SECONDS = 0  # the first run has been silent for longer than its lease
    second = claim(IngestionJob, job.pk)
    assert second is not None
    assert second != first
    with pytest.raises(LeaseLost), JobRun(job.pk, first, None).step("late"):
        pass


def test_a_job_whose_runs_keep_dying_is_failed_with_the_reason(job, settings):
    settings.JOB_LEASE_SECONDS = 0
    settings.JOB_MAX_ATTEMPTS = 3
    for _ in range(3):  # three runs claim it and die (nothing finishes them)
        assert claim(IngestionJob, job.pk) is not None
    run_job(job.pk)  # the fourth delivery
    job.refresh_from_db()
    assert (job.status, job.attempts, job.run_token) == (JobStatus.FAILED, 4, None)
    assert job.errors == [
        {
            "file": None,
            "row": None,
            "column": None,
            "message": "The job was started 3 times and its worker died each time (last in phase"
            " ''); it is not run again.",
        }
    ]
    run_job(job.pk)  # a late delivery finds a finished job and leaves it alone
    job.refresh_from_db()
    assert job.attempts == 4


def test_finished_and_unknown_jobs_are_not_claimed(job):
    IngestionJob.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED)
    assert claim(IngestionJob, job.pk) is None
    assert claim(IngestionJob, 987654) is None


def test_a_job_the_broker_cannot_take_stays_queued_and_the_sweep_hands_it_over(
    job, settings, monkeypatch
):
    from datetime import timedelta

    from django.utils import timezone
    from kombu.exceptions import OperationalError

    from core.jobs import requeue_forgotten, start
    from ingestion.tasks import run_ingestion

    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent: list[int] = []

    def broker_down(job_id):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")

    monkeypatch.setattr(run_ingestion, "delay", broker_down)
    assert start(run_ingestion, job.pk) is False
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED  # kept: it runs once the broker is back
    monkeypatch.setattr(run_ingestion, "delay", sent.append)
    settings.JOB_LEASE_SECONDS = 60
    assert requeue_forgotten() == 0  # queued for less than a lease: its hand-over may be coming
    long_ago = timezone.now() - timedelta(seconds=61)
    IngestionJob.objects.filter(pk=job.pk).update(created_at=long_ago)
    abandoned = IngestionJob.objects.create(
        batch_rows=10, status=JobStatus.RUNNING, heartbeat_at=long_ago
    )
    alive = IngestionJob.objects.create(
        batch_rows=10, status=JobStatus.RUNNING, heartbeat_at=timezone.now()
    )
    IngestionJob.objects.create(batch_rows=10, status=JobStatus.SUCCEEDED)
    assert requeue_forgotten() == 2
    assert sorted(sent) == sorted([job.pk, abandoned.pk])
    assert alive.pk not in sent


def test_the_sweep_is_a_celery_task(job, monkeypatch, settings):
    from core.tasks import requeue_forgotten_jobs

    monkeypatch.setattr("core.tasks.requeue_forgotten", lambda: 3)
    assert requeue_forgotten_jobs.apply().get() == 3
