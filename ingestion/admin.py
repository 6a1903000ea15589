from typing import Any

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from core.admin import ReadOnlyAdmin
from ingestion.kinds import ORDER
from ingestion.models import IngestionJob

PROBLEM_COLUMNS = ("file", "row", "column", "message")


@admin.register(IngestionJob)
class IngestionJobAdmin(ReadOnlyAdmin):
    """Jobs as the back office follows them: status, counts, errors and warnings. Read-only: a
    job changes only through its run (ingestion.jobs)."""

    list_display = ("id", "status", "phase", "processed_rows", "total_rows", "created_at")
    list_filter = ("status",)
    fields = (
        "status",
        "phase",
        "file_names",
        "processed_rows",
        "total_rows",
        "counts_table",
        "errors_table",
        "warnings_table",
        "created_at",
        "started_at",
        "finished_at",
    )
    readonly_fields = fields

    @admin.display(description="Files")
    def file_names(self, job: IngestionJob) -> str:
        files = job.files  # in the order of ingestion, not jsonb's
        return ", ".join(f"{kind}: {files[kind]['name']}" for kind in ORDER if kind in files)

    @admin.display(description="Counts")
    def counts_table(self, job: IngestionJob) -> str:
        counts = job.ordered_counts()
        outcomes = next(iter(counts.values())).keys()
        return _table(("file", *outcomes), [(kind, *row.values()) for kind, row in counts.items()])

    @admin.display(description="Errors")
    def errors_table(self, job: IngestionJob) -> str:
        return _problems(job.errors)

    @admin.display(description="Warnings")
    def warnings_table(self, job: IngestionJob) -> str:
        return _problems(job.warnings)


def _problems(problems: list[dict[str, Any]]) -> str:
    if not problems:
        return "-"
    return _table(PROBLEM_COLUMNS, [[problem[c] for c in PROBLEM_COLUMNS] for problem in problems])


def _table(header: tuple[str, ...], rows: list[Any]) -> str:
    """An HTML table, every cell escaped (a message may quote a spreadsheet's cell)."""
    head = format_html_join("", "<th>{}</th>", ((cell,) for cell in header))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),) for row in rows),
    )
    return format_html("<table><tr>{}</tr>{}</table>", head, body)
