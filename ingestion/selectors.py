from core.errors import NotFoundError
from ingestion.models import IngestionJob


def get_job(job_id: int) -> IngestionJob:
    job = IngestionJob.objects.filter(pk=job_id).first()
    if job is None:
        raise NotFoundError(f"No ingestion job with id {job_id}.")
    return job
