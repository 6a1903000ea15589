"""What uploading the history files takes and what a job answers, for the API and the console
alike."""

from typing import TYPE_CHECKING, Annotated, Any, Self

from django.core.files.uploadedfile import UploadedFile
from pydantic import (
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from core.contract import Declaration, Flag, Timestamp
from core.jobs import JobStatus
from ingestion.models import FileKind, IngestionJob
from ingestion.readers import looks_like_spreadsheet

if TYPE_CHECKING:
    Upload = UploadedFile[bytes]
else:
    Upload = UploadedFile  # generic in django-stubs only

NO_FILE = "Upload a customers file, a loans file, or both."
NOT_A_SPREADSHEET = "Not a spreadsheet: upload the .xlsx file."


def _spreadsheet(value: Any) -> Upload | None:
    """An uploaded spreadsheet, checked by its first bytes so the wrong file is refused at
    once; an empty form value is no file. The other messages are DRF's FileField's."""
    if value is None or value == "":
        return None
    if not isinstance(value, UploadedFile):
        raise PydanticCustomError(
            "not_a_file", "The submitted data was not a file. Check the encoding type on the form."
        )
    if not value.size:
        raise PydanticCustomError("empty_file", "The submitted file is empty.")
    head = value.read(8)
    value.seek(0)
    if not looks_like_spreadsheet(head):
        raise PydanticCustomError("not_a_spreadsheet", NOT_A_SPREADSHEET)
    return value


Spreadsheet = Annotated[
    Upload | None,
    PlainValidator(_spreadsheet),
    # What is checked at once, said in the document too: a zip archive (an .xlsx workbook is one)
    # by its first bytes; what it holds is the job's to check.
    WithJsonSchema(
        {"type": "string", "format": "binary", "pattern": "^PK\u0003\u0004"}, mode="validation"
    ),
]


class IngestInput(Declaration):
    """multipart/form-data with one spreadsheet or both; customers go in first."""

    # The document says it too: a form with neither file is refused (400). (As minProperties:
    # schemathesis misreads the negation of an anyOf of `required`s.)
    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    customers: Spreadsheet = None
    loans: Spreadsheet = None

    @model_validator(mode="after")
    def _some_file(self) -> Self:
        if self.customers is None and self.loans is None:
            # The input is what the form held for the field: nothing.
            raise ValidationError.from_exception_data(
                type(self).__name__,
                [
                    InitErrorDetails(
                        type=PydanticCustomError("no_file", NO_FILE), loc=(kind,), input=""
                    )
                    for kind in FileKind.values
                ],
            )
        return self

    def uploads(self) -> dict[str, Upload]:
        files = {FileKind.CUSTOMERS: self.customers, FileKind.LOANS: self.loans}
        return {kind: upload for kind, upload in files.items() if upload is not None}


class IngestQuery(Declaration):
    """Beside the files, in the query: a flag is not a part of what is uploaded."""

    dry_run: Flag = Field(
        default=False,
        description="Say what the upload would do (GET /ingest/{job_id}: counts, errors, "
        "warnings and the first rows of each outcome) and write nothing.",
    )


class ApplyPreviewInput(Declaration):
    """Applying a preview takes nothing but the preview's job (the console's Apply button)."""


class IngestAcceptedOutput(Declaration):
    job_id: int
    status: JobStatus
    status_url: Annotated[str, WithJsonSchema({"type": "string", "format": "uri"})]


class ProblemOutput(Declaration):
    """A reported row, or a file that failed as a whole (no row, and no column unless one is
    missing)."""

    file: str | None
    row: int | None
    column: str | None
    message: str


class RowCountsOutput(Declaration):
    created: int
    updated: int
    unchanged: int
    rejected: int


class JobCountsOutput(Declaration):
    customers: RowCountsOutput
    loans: RowCountsOutput


class ProgressOutput(Declaration):
    processed_rows: int
    total_rows: int


class PreviewRowOutput(Declaration):
    row: int = Field(description="The Excel row.")
    cells: dict[str, Any] = Field(description="The row's cells by header, as staged.")


class FilePreviewOutput(Declaration):
    created: list[PreviewRowOutput]
    updated: list[PreviewRowOutput]
    unchanged: list[PreviewRowOutput]
    rejected: list[PreviewRowOutput]


class PreviewOutput(Declaration):
    """A dry run's first rows of each outcome, by file (a file not uploaded is absent)."""

    customers: FilePreviewOutput | None = None
    loans: FilePreviewOutput | None = None


class IngestionJobOutput(Declaration):
    job_id: int
    status: JobStatus
    dry_run: Flag = Field(description="A preview: the counts say what the upload would do.")
    phase: str
    progress: ProgressOutput
    counts: JobCountsOutput
    errors: list[ProblemOutput] = Field(description="Rejected rows; row is the Excel row.")
    warnings: list[ProblemOutput] = Field(description="Rows stored with a note (a fresh id).")
    preview: PreviewOutput | None = Field(
        description="A finished dry run's first rows of each outcome; null otherwise."
    )
    started_at: Timestamp | None
    finished_at: Timestamp | None

    @classmethod
    def of(cls, job: IngestionJob) -> "IngestionJobOutput":
        return cls.model_validate(
            {
                "job_id": job.pk,
                "status": job.status,
                "dry_run": job.dry_run,
                "preview": job.preview or None,
                "phase": job.phase,
                "progress": {"processed_rows": job.processed_rows, "total_rows": job.total_rows},
                "counts": job.counts,
                "errors": job.errors,
                "warnings": job.warnings,
                "started_at": job.started_at,
                "finished_at": job.finished_at,
            }
        )
