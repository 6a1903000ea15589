"""An ingestion job's lifecycle: created with its files, claimed by one run at a time, each of
that run's writes a step that proves it still holds the job and renews its lease, finished.

Each step commits with the job row locked and checked against the run's token, so counts,
errors and written rows move together; a killed run leaves a job that a re-run resumes.
"""

import logging
import shutil
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ingestion import staging
from ingestion.errors import JobBusy, LeaseLost
from ingestion.kinds import ORDER, SPECS
from ingestion.models import FileKind, IngestionJob, JobStatus

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[IngestionJob], None]
# A file that failed as a whole: (file, row, column, message), as the job reports it.
Failure = tuple[FileKind | None, int | None, str | None, str]


class Upload(Protocol):
    name: str | None

    def chunks(self) -> Iterator[bytes]: ...


def create_job(uploads: Mapping[str, Upload]) -> IngestionJob:
    """A queued job with the uploads stored under INGEST_DIR/<job id>/. If storing them fails
    (a full disk, the database), the folder goes too: the request's transaction rolls the job
    back, and nothing would ever read or remove the files."""
    job = IngestionJob.objects.create(batch_rows=settings.INGEST_BATCH_ROWS)
    folder = Path(settings.INGEST_DIR) / str(job.pk)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        job.files = {
            kind: _stored(uploads[kind], folder / kind, kind) for kind in ORDER if kind in uploads
        }
        job.save(update_fields=["files"])
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return job


def _stored(upload: Upload, path: Path, kind: str) -> dict[str, Any]:
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return {"name": upload.name or kind, "path": str(path), "owned": True, "rows": 0}


def create_job_for_paths(paths: Mapping[str, Path]) -> IngestionJob:
    """A queued job over files already on disk (the command line); they are never removed."""
    files = {
        kind: {"name": path.name, "path": str(path.resolve()), "owned": False, "rows": 0}
        for kind in ORDER
        if (path := paths.get(kind)) is not None
    }
    return IngestionJob.objects.create(batch_rows=settings.INGEST_BATCH_ROWS, files=files)


def claim(job_id: int, on_progress: ProgressCallback | None = None) -> "JobRun | None":
    """This run's hold on the job, or None for a finished or unknown job. JobBusy while
    another run holds it and proved alive within the lease."""
    with transaction.atomic():
        job = IngestionJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            logger.warning("Ingestion job %s does not exist", job_id)
            return None
        if job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
            return None
        now = timezone.now()
        lease = timedelta(seconds=settings.INGEST_LEASE_SECONDS)
        if job.status == JobStatus.RUNNING and job.heartbeat_at and job.heartbeat_at > now - lease:
            raise JobBusy(f"Ingestion job {job_id} is running elsewhere.")
        job.status = JobStatus.RUNNING
        job.run_token = uuid.uuid4()
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        job.save()
        return JobRun(job_id, job.run_token, on_progress)


class JobRun:
    """One run of one job: every write goes through `step`, which proves it still owns it."""

    def __init__(self, job_id: int, token: uuid.UUID, on_progress: ProgressCallback | None) -> None:
        self.job_id = job_id
        self.token = token
        self.on_progress = on_progress

    @contextmanager
    def step(self, phase: str, durable: bool = True) -> Iterator[IngestionJob]:
        """The job, locked, for this step's writes; LeaseLost if a newer run took it over.

        `durable=False` (bulk writes: staging chunks, merge ranges) commits without waiting
        for the WAL flush. A database crash can then lose the last such commits, but whole and
        in order, each with the progress the job noted in it, so the re-run redoes exactly
        them; the steps that end a phase or the job are durable and flush all before them."""
        with transaction.atomic():
            if not durable and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")
            job = IngestionJob.objects.select_for_update().get(pk=self.job_id)
            if job.run_token != self.token:
                raise LeaseLost
            job.phase = phase
            yield job
            job.heartbeat_at = timezone.now()
            job.save()
        if self.on_progress is not None:
            self.on_progress(job)

    def finish(self, status: JobStatus, failure: Failure | None = None) -> None:
        """The job ends: staging emptied, the run's claim released, the uploads removed."""
        with self.step("") as job:
            for spec in SPECS.values():
                staging.clear(spec.target.staged, self.job_id)
            if failure is not None:
                kind, row, column, message = failure
                problem = {"file": kind, "row": row, "column": column, "message": message}
                job.errors = [*job.errors, problem]
            job.status = status
            job.finished_at = timezone.now()
            job.run_token = None
            owned = [Path(entry["path"]) for entry in job.files.values() if entry.get("owned")]
        if owned:  # uploads, all in the job's own folder under INGEST_DIR
            shutil.rmtree(owned[0].parent, ignore_errors=True)
        logger.info("Ingestion job %s %s: %s", self.job_id, status, job.counts)
