"""An ingestion job and the staging tables its rows pass through.

Rows are parsed into staging first, so the rules that need the whole file (duplicate keys, which
Loan IDs are unambiguous) are set operations, and a restarted job resumes from what is committed.
"""

from typing import Any

from django.db import models

from core.jobs import BackgroundJob
from credit.money import MONEY_PLACES
from customers.limits import APPROVED_LIMIT_DIGITS, MAX_NAME_LENGTH, SALARY_DIGITS
from loans.models import amount_field, installment_field, rate_field


class FileKind(models.TextChoices):
    CUSTOMERS = "customers", "Customers"
    LOANS = "loans", "Loans"


class Outcome(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    UNCHANGED = "unchanged", "Unchanged"
    REJECTED = "rejected", "Rejected"


def empty_counts() -> dict[str, dict[str, int]]:
    return {kind: dict.fromkeys(Outcome.values, 0) for kind in FileKind.values}


class IngestionJob(BackgroundJob):
    """Counts, errors and warnings live on the row, so a status read is one query."""

    # {"customers": {"name", "path", "owned", "rows", "merged_through", "merged_ranges"},
    # "loans": {...}}: the upload's name, where it is and whether the job removes it at the end,
    # the rows read, and the merge's progress (see pipeline._merge). Customers go first.
    files = models.JSONField(default=dict)
    # Rows per write transaction, fixed at creation so a restart merges the same row ranges.
    batch_rows = models.PositiveIntegerField()
    # Steps finished for good, e.g. ["customers:parsed", "customers:merged"]; a re-run skips them.
    steps_done = models.JSONField(default=list)
    processed_rows = models.PositiveBigIntegerField(default=0)
    total_rows = models.PositiveBigIntegerField(default=0)
    counts = models.JSONField(default=empty_counts)
    errors = models.JSONField(default=list)
    warnings = models.JSONField(default=list)
    # Per phase: seconds, rows and memory, for logs and the benchmark.
    timings = models.JSONField(default=dict)
    # A dry run: the whole pipeline inside a transaction that is rolled back, so its counts,
    # errors and warnings say what the upload would do and nothing is written; `preview` holds
    # the first rows of each outcome (ingestion.preview). Its files wait for an apply.
    dry_run = models.BooleanField(default=False)
    preview = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Ingestion {self.pk} ({self.status})"

    def ordered_counts(self) -> dict[str, dict[str, int]]:
        """Counts in a fixed order (PostgreSQL's jsonb keeps keys in its own order)."""
        return {
            kind: {outcome: self.counts[kind][outcome] for outcome in Outcome.values}
            for kind in FileKind.values
        }

    def add_count(self, kind: str, outcome: str, n: int) -> None:
        counts: dict[str, Any] = self.counts
        counts[kind][outcome] += n

    def note_problem(
        self, kind: str | None, row: int | None, column: str | None, message: str
    ) -> None:
        """A file that failed as a whole (no row, and no column unless one is missing)."""
        problem = {"file": kind, "row": row, "column": column, "message": message}
        self.errors = [*self.errors, problem]

    def note_failure(self, message: str) -> None:
        self.note_problem(None, None, None, message)

    def set_rows(self, kind: str, rows: int) -> None:
        """The rows of one file (estimated, then read); the job's total follows."""
        self.files[kind]["rows"] = rows
        self.total_rows = sum(entry["rows"] for entry in self.files.values())


class StagedRow(models.Model):
    """One spreadsheet row of a job: typed values when valid, `errors` when not."""

    # No database constraint and no index of its own: a million COPY'd rows would each queue a
    # foreign-key check (a third of the COPY's time), and the (job, row) index serves job_id.
    # Rows are written under the job's lock and deleted with it (Django cascades in Python).
    job = models.ForeignKey(
        IngestionJob,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    row = models.PositiveIntegerField(help_text="Excel row number; the header is row 1.")
    # [[column, message], ...] from parsing; such a row is rejected before anything is written.
    # The cells that did parse are kept even then: a Loan ID on such a row still makes the same
    # Loan ID of another customer's row "shared". The duplicate checks see only accepted rows.
    errors = models.JSONField(null=True, blank=True)
    # NULL until the row's fate is known: the merge picks up exactly the undecided rows.
    outcome = models.CharField(max_length=16, choices=Outcome.choices, null=True, blank=True)  # noqa: DJ001

    class Meta:
        abstract = True


class StagedCustomer(StagedRow):
    customer_id = models.BigIntegerField(null=True)
    # Staging keeps NULL for a cell that did not parse, for text as for numbers.
    first_name = models.CharField(max_length=MAX_NAME_LENGTH, null=True)  # noqa: DJ001
    last_name = models.CharField(max_length=MAX_NAME_LENGTH, null=True)  # noqa: DJ001
    age = models.PositiveSmallIntegerField(null=True)
    phone_number = models.BigIntegerField(null=True)
    monthly_salary = models.DecimalField(
        max_digits=SALARY_DIGITS, decimal_places=MONEY_PLACES, null=True
    )
    approved_limit = models.DecimalField(
        max_digits=APPROVED_LIMIT_DIGITS, decimal_places=MONEY_PLACES, null=True
    )

    class Meta:
        # Only the row ranges need an index: the whole-file checks sort or hash anyway, and
        # every extra index slows the COPY of a million rows.
        indexes = [models.Index(fields=["job", "row"])]

    def __str__(self) -> str:
        return f"Customers row {self.row} of job {self.job_id}"


class StagedLoan(StagedRow):
    customer_id = models.BigIntegerField(null=True)
    source_loan_id = models.BigIntegerField(null=True)
    loan_amount = amount_field(null=True)
    tenure = models.PositiveSmallIntegerField(null=True)
    interest_rate = rate_field(null=True)
    monthly_installment = installment_field(null=True)
    emis_paid_on_time = models.PositiveSmallIntegerField(null=True)
    start_date = models.DateField(null=True)
    end_date = models.DateField(null=True)
    # The Loan ID is used by more than one customer in the file, so no loan can claim it as pk.
    shared_id = models.BooleanField(db_default=False)

    class Meta:
        indexes = [models.Index(fields=["job", "row"])]

    def __str__(self) -> str:
        return f"Loans row {self.row} of job {self.job_id}"
