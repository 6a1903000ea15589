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
