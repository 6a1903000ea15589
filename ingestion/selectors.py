from ingestion.errors import JobNotFound
from ingestion.models import IngestionJob


def get_job(job_id: int) -> IngestionJob:
    job = IngestionJob.objects.filter(pk=job_id).first()
    if job is None:
        raise JobNotFound(job_id)
    return job
