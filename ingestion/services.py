"""Run or resume an ingestion job: the one entry the Celery task, the in-process thread and the
commands call. The job's lifecycle is ingestion.jobs, each file's way in ingestion.pipeline."""

import logging
from collections.abc import Mapping

from core import jobs as core_jobs
from core.jobs import JobStatus, LeaseLost, TooManyAttempts, fail_unclaimable
from ingestion.jobs import ProgressCallback, Upload, claim, create_job
from ingestion.kinds import SPECS
from ingestion.metrics import record_ingested_rows
from ingestion.models import FileKind, IngestionJob
from ingestion.pipeline import ingest_file
from ingestion.readers import UnreadableFile

logger = logging.getLogger(__name__)


def start_ingestion(uploads: Mapping[str, Upload]) -> IngestionJob:
    """A queued job for the uploads (POST /ingest, the console's upload), started once the
    request's transaction commits."""
    from ingestion.tasks import run_ingestion  # the task module imports this one

    job = create_job(uploads)
    core_jobs.start_after_commit(run_ingestion, job.pk)
    return job


def run_job(job_id: int, on_progress: ProgressCallback | None = None) -> None:
    """Run or resume the job. Finished jobs are left alone; a live run elsewhere → JobBusy; a
    job whose runs keep dying is failed with the reason."""
    try:
        run = claim(job_id, on_progress)
    except TooManyAttempts as exc:
        logger.error("Ingestion job %s failed: %s", job_id, exc)
        fail_unclaimable(IngestionJob, job_id, str(exc))
        return
    if run is None:
        return
    current: FileKind | None = None
    try:
        files = IngestionJob.objects.get(pk=job_id).files
        for kind, spec in SPECS.items():
            if kind in files:
                current = kind
                ingest_file(run, spec)
    except UnreadableFile as exc:
        run.finish(JobStatus.FAILED, failure=(current, exc.row, exc.column, exc.message))
    except LeaseLost:
        logger.warning("Ingestion job %s was taken over by another run", job_id)
    except Exception:
        run.finish(JobStatus.FAILED, failure=(current, None, None, "Internal error; see the log."))
        raise
    else:
        run.finish(JobStatus.SUCCEEDED)
        _count_in_metrics(job_id)


def _count_in_metrics(job_id: int) -> None:
    """Rows by result for /metrics, once per job: only the run that finishes it gets here."""
    counts = IngestionJob.objects.get(pk=job_id).ordered_counts()
    for kind, outcomes in counts.items():
        for outcome, rows in outcomes.items():
            if rows:
                record_ingested_rows(kind, outcome, rows)
