"""An ingestion job's lifecycle: created with its files, claimed by one run at a time, each of
that run's writes a step that proves it still holds the job and renews its lease, finished
(core.jobs holds what every background job shares).

Each step commits with the job row locked and checked against the run's token, so counts,
errors and written rows move together; a killed run leaves a job that a re-run resumes.
"""

import logging
import shutil
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings

from core import jobs
from core.jobs import JobStatus
from ingestion import staging
from ingestion.kinds import ORDER, SPECS
from ingestion.models import FileKind, IngestionJob

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[IngestionJob], None]
# A file that failed as a whole: (file, row, column, message), as the job reports it.
Failure = tuple[FileKind | None, int | None, str | None, str]


class Upload(Protocol):
    name: str | None

    def chunks(self) -> Iterator[bytes]: ...


def create_job(uploads: Mapping[str, Upload], dry_run: bool = False) -> IngestionJob:
    """A queued job with the uploads stored under INGEST_DIR/<job id>/. If storing them fails
    (a full disk, the database), the folder goes too: the request's transaction rolls the job
    back, and nothing would ever read or remove the files."""
    job = IngestionJob.objects.create(batch_rows=settings.INGEST_BATCH_ROWS, dry_run=dry_run)
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


# An upload folder younger than this may belong to a request still storing it, its job not yet
# committed: the sweep leaves it alone.
ORPHAN_AGE_SECONDS = 3600


def sweep_orphaned_uploads() -> int:
    """Remove the folders under INGEST_DIR that no unfinished job holds and that are older than
    ORPHAN_AGE_SECONDS: left by a process killed between a job's end (or its request's
    rollback) and their removal. Returns how many. Safe on two nodes at once."""
    root = Path(settings.INGEST_DIR)
    if not root.is_dir():
        return 0
    cutoff = time.time() - ORPHAN_AGE_SECONDS
    aged = {
        int(folder.name): folder
        for folder in root.iterdir()
        if folder.is_dir() and folder.name.isdigit() and folder.stat().st_mtime < cutoff
    }
    held = set(
        IngestionJob.objects.filter(pk__in=aged, status__in=jobs.UNFINISHED).values_list(
            "pk", flat=True
        )
    )
    for job_id in aged.keys() - held:
        shutil.rmtree(aged[job_id], ignore_errors=True)
    return len(aged.keys() - held)


def create_job_for_paths(paths: Mapping[str, Path]) -> IngestionJob:
    """A queued job over files already on disk (the command line); they are never removed."""
    files = {
        kind: {"name": path.name, "path": str(path.resolve()), "owned": False, "rows": 0}
        for kind in ORDER
        if (path := paths.get(kind)) is not None
    }
    return IngestionJob.objects.create(batch_rows=settings.INGEST_BATCH_ROWS, files=files)


def claim(job_id: int, on_progress: ProgressCallback | None = None) -> "JobRun | None":
    """This run's hold on the job (core.jobs.claim), or None for a finished or unknown job."""
    token = jobs.claim(IngestionJob, job_id)
    return None if token is None else JobRun(job_id, token, on_progress)


class JobRun(jobs.JobRun[IngestionJob]):
    """One run of one ingestion: its steps also report progress (the command's bar) after
    each commit; its end empties staging and removes the uploads."""

    def __init__(self, job_id: int, token: uuid.UUID, on_progress: ProgressCallback | None) -> None:
        super().__init__(IngestionJob, job_id, token)
        self.on_progress = on_progress

    @contextmanager
    def step(self, phase: str, durable: bool = True) -> Iterator[IngestionJob]:
        with super().step(phase, durable) as job:
            yield job
        if self.on_progress is not None:
            self.on_progress(job)

    def finish(self, status: JobStatus, failure: Failure | None = None) -> None:
        """The job ends: staging emptied, the run's claim released, the uploads removed (a
        succeeded preview's wait for an apply)."""
        with self.finishing(status) as job:
            for spec in SPECS.values():
                staging.clear(spec.target.staged, self.job_id)
            if failure is not None:
                job.note_problem(*failure)
            owned = [Path(entry["path"]) for entry in job.files.values() if entry.get("owned")]
        # A succeeded preview keeps its uploads for an apply (sweep_orphaned_uploads removes
        # them after an hour).
        if owned and not (
            job.dry_run and status == JobStatus.SUCCEEDED
        ):  # uploads, all in the job's own folder under INGEST_DIR
            shutil.rmtree(owned[0].parent, ignore_errors=True)
        logger.info("Ingestion job %s %s: %s", self.job_id, status, job.counts)
