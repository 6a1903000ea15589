from django.db.models import QuerySet

from ingestion.errors import JobNotFound
from ingestion.models import IngestionJob

# A job's reported rows can run to megabytes of JSON: lists and progress reads leave them out.
_REPORTS = ("errors", "warnings", "timings", "steps_done")


def get_job(job_id: int) -> IngestionJob:
    job = IngestionJob.objects.filter(pk=job_id).first()
    if job is None:
        raise JobNotFound(job_id)
    return job


def job_progress(job_id: int) -> IngestionJob:
    """The job without its reported rows: status, phase, progress and counts."""
    job = IngestionJob.objects.defer(*_REPORTS).filter(pk=job_id).first()
    if job is None:
        raise JobNotFound(job_id)
    return job


def latest_jobs() -> QuerySet[IngestionJob]:
    """Jobs newest first, without their reported rows."""
    return IngestionJob.objects.defer(*_REPORTS).order_by("-id")
