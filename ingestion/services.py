"""Run or resume an ingestion job: the one entry the Celery task, the in-process thread and the
commands call. The job's lifecycle is ingestion.jobs, each file's way in ingestion.pipeline."""

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.files import File
from django.db import transaction

from core import jobs as core_jobs
from core.jobs import JobStatus, LeaseLost, TooManyAttempts, fail_unclaimable
from ingestion.errors import NotAPreview, PreviewExpired
from ingestion.jobs import JobRun, ProgressCallback, Upload, claim, create_job
from ingestion.kinds import SPECS
from ingestion.metrics import record_ingested_rows
from ingestion.models import FileKind, IngestionJob
from ingestion.pipeline import ingest_file
from ingestion.readers import UnreadableFile
from ingestion.selectors import get_job

logger = logging.getLogger(__name__)


def start_ingestion(uploads: Mapping[str, Upload], dry_run: bool = False) -> IngestionJob:
    """A queued job for the uploads (POST /ingest, the console's upload), started once the
    request's transaction commits; a dry run says what they would do and writes nothing."""
    from ingestion.tasks import run_ingestion  # the task module imports this one

    job = create_job(uploads, dry_run=dry_run)
    core_jobs.start_after_commit(run_ingestion, job.pk)
    return job


def apply_preview(job_id: int) -> IngestionJob:
    """The upload a finished dry run previewed, now for real: a new job over the same files
    (kept for an hour after the preview; then they must be uploaded again)."""
    preview = get_job(job_id)
    if not preview.dry_run or preview.status != JobStatus.SUCCEEDED:
        raise NotAPreview(job_id)
    paths = {kind: Path(entry["path"]) for kind, entry in preview.files.items()}
    if not all(path.is_file() for path in paths.values()):
        raise PreviewExpired(job_id)
    files = {
        kind: File(path.open("rb"), name=preview.files[kind]["name"])
        for kind, path in paths.items()
    }
    try:
        return start_ingestion(files)
    finally:
        for file in files.values():
            file.close()


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
        job = IngestionJob.objects.get(pk=job_id)
        with _written_unless(job.dry_run, run):
            for kind, spec in SPECS.items():
                if kind in job.files:
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
        if not job.dry_run:
            _count_in_metrics(job_id)


class _RolledBack(Exception):
    def __init__(self, outcome: dict[str, Any]) -> None:
        self.outcome = outcome


# What a dry run keeps of its rolled-back run: what the job says the upload would do.
_PREVIEWED = ("counts", "errors", "warnings", "preview", "processed_rows", "total_rows", "timings")


@contextmanager
def _written_unless(dry_run: bool, run: JobRun) -> Iterator[None]:
    """A dry run is the same pipeline inside a transaction that is rolled back at its end: its
    checks, merge and counts are the ones an upload runs, and nothing stays but what the job
    noted of them, kept after the rollback."""
    if not dry_run:
        yield
        return
    try:
        with transaction.atomic():
            yield
            raise _RolledBack(IngestionJob.objects.values(*_PREVIEWED).get(pk=run.job_id))
    except _RolledBack as rolled_back:
        with run.step("") as job:
            for name, value in rolled_back.outcome.items():
                setattr(job, name, value)


def _count_in_metrics(job_id: int) -> None:
    """Rows by result for /metrics, once per job: only the run that finishes it gets here."""
    counts = IngestionJob.objects.get(pk=job_id).ordered_counts()
    for kind, outcomes in counts.items():
        for outcome, rows in outcomes.items():
            if rows:
                record_ingested_rows(kind, outcome, rows)
