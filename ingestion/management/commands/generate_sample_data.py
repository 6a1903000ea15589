"""`manage.py generate_sample_data`: synthetic history, as spreadsheets or into the database,
its progress on stderr (ingestion.progress), what it made once at the end on stdout."""

import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core import clock
from core.jobs import JobStatus
from ingestion.jobs import create_job_for_paths
from ingestion.progress import Progress
from ingestion.samples import Plan, write_xlsx
from ingestion.selectors import get_job
from ingestion.services import run_job


class Command(BaseCommand):
    help = "Generate customers and loan history (same seed, same data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=300)
        parser.add_argument("--loans-per-customer", type=int, default=3)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--xlsx", type=Path, help="Write customer_data.xlsx and loan_data.xlsx here instead."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["customers"] < 1 or options["loans_per_customer"] < 0:
            raise CommandError("--customers must be at least 1, --loans-per-customer at least 0.")
        plan = Plan(options["customers"], options["loans_per_customer"], options["seed"])
        # The stream itself, not Django's wrapper, which would end each bar update with a newline.
        stream = options.get("stderr") or sys.stderr
        if options["xlsx"] is not None:
            with Progress(stream) as progress:
                customers, loans = write_xlsx(plan, options["xlsx"], clock.today(), progress.show)
            self.stdout.write(f"Wrote {customers} and {loans}")
            return
        # Into the database through the ingestion service: keyed by the generated ids, so
        # running it again with the same seed changes nothing.
        with tempfile.TemporaryDirectory() as folder:
            with Progress(stream) as progress:
                customers, loans = write_xlsx(plan, Path(folder), clock.today(), progress.show)
            job = create_job_for_paths({"customers": customers, "loans": loans})
            with Progress(stream) as progress:
                run_job(job.pk, on_progress=progress.show_job)
        job = get_job(job.pk)
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(f"Generation failed: {job.errors}")
        for kind, counts in job.ordered_counts().items():
            self.stdout.write(f"{kind}: " + ", ".join(f"{k} {n}" for k, n in counts.items()))
