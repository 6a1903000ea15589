"""`manage.py ingest_data --customers PATH --loans PATH`: an ingestion job in the foreground,
its progress on stderr (ingestion.progress), its counts and errors once at the end on stdout."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.jobs import JobStatus
from ingestion.errors import JobNotFound
from ingestion.jobs import create_job_for_paths
from ingestion.models import IngestionJob
from ingestion.progress import Progress
from ingestion.selectors import get_job
from ingestion.services import run_job


class Command(BaseCommand):
    help = "Ingest a customers and/or loans spreadsheet, with the counts and errors at the end."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=Path, help="customer_data.xlsx")
        parser.add_argument("--loans", type=Path, help="loan_data.xlsx")
        parser.add_argument(
            "--job", type=int, help="Resume an interrupted job (by id) instead of starting one."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["job"] is not None:
            job = self._existing(options["job"])
        else:
            paths = {kind: options[kind] for kind in ("customers", "loans") if options[kind]}
            if not paths:
                raise CommandError("Give --customers PATH, --loans PATH or both.")
            for path in paths.values():
                if not path.is_file():
                    raise CommandError(f"No such file: {path}")
            job = create_job_for_paths(paths)
            self.stdout.write(f"Ingestion job {job.pk}")
        # The stream itself, not Django's wrapper, which would end each bar update with a newline.
        with Progress(options.get("stderr") or sys.stderr) as progress:
            run_job(job.pk, on_progress=progress.show_job)
        self._report(get_job(job.pk))

    def _existing(self, job_id: int) -> IngestionJob:
        try:
            return get_job(job_id)
        except JobNotFound as missing:
            raise CommandError(missing.message) from None

    def _report(self, job: IngestionJob) -> None:
        self.stdout.write(f"Status: {job.status}")
        for kind, counts in job.ordered_counts().items():
            if kind in job.files:
                summary = ", ".join(f"{outcome} {n}" for outcome, n in counts.items())
                self.stdout.write(f"{kind}: {summary}")
        for title, problems in (("Errors", job.errors), ("Warnings", job.warnings)):
            if problems:
                self.stdout.write(f"{title} ({len(problems)}):")
            for problem in problems:
                where = f"{problem['file']} row {problem['row']}"
                self.stdout.write(f"  {where}, {problem['column']}: {problem['message']}")
        if job.status == JobStatus.FAILED:
            raise CommandError("The ingestion failed.")
