"""The Celery side of ingestion: thin, since the job itself is resumable and idempotent."""

from celery import shared_task
from django.conf import settings

from core.jobs import JobBusy
from ingestion.jobs import sweep_orphaned_uploads
from ingestion.services import run_job


@shared_task(bind=True, acks_late=True, max_retries=None)
def run_ingestion(self, job_id: int) -> None:  # type: ignore[no-untyped-def]
    """A second delivery (Redis redelivers after visibility_timeout) waits out the first run's
    lease instead of running beside it; once that run is silent it takes the job over."""
    try:
        run_job(job_id)
    except JobBusy as exc:
        raise self.retry(countdown=settings.JOB_LEASE_SECONDS, exc=exc) from exc


@shared_task
def sweep_uploads() -> int:
    """Beat's hourly removal of upload folders no job holds (ingestion.jobs)."""
    return sweep_orphaned_uploads()
