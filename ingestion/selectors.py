from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from ingestion.errors import JobNotFound
from ingestion.models import IngestionJob, Outcome
from ingestion.rows import ROW_RULES

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


@dataclass(frozen=True)
class PreviewTable:
    """A dry run's first rows of one outcome of one file, their cells in the file's order."""

    kind: str
    outcome: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]]


def preview_tables(job: IngestionJob) -> list[PreviewTable]:
    """The job's preview as tables (the stored cells are by header, in whatever order the
    database keeps a JSON object's keys)."""
    tables = []
    for kind, outcomes in job.preview.items():
        headers = ROW_RULES[kind].headers
        for outcome in Outcome.values:
            found = outcomes.get(outcome) or []
            rows = [(entry["row"], [entry["cells"].get(h) for h in headers]) for entry in found]
            if rows:
                tables.append(PreviewTable(kind, outcome, headers, rows))
    return tables
