from typing import TYPE_CHECKING, Annotated, Any, Self

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from pydantic import (
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.auth import Role
from core.contract import Declaration, Timestamp, parse, respond
from core.errors import INVALID_FIELDS, ApiError
from core.idempotency import idempotent
from core.jobs import JobStatus
from core.json import TooLarge
from core.schema import error_responses
from ingestion.errors import JobNotFound
from ingestion.models import FileKind, IngestionJob
from ingestion.readers import looks_like_spreadsheet
from ingestion.selectors import get_job
from ingestion.services import start_ingestion

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


class IngestionJobOutput(Declaration):
    job_id: int
    status: JobStatus
    phase: str
    progress: ProgressOutput
    counts: JobCountsOutput
    errors: list[ProblemOutput] = Field(description="Rejected rows; row is the Excel row.")
    warnings: list[ProblemOutput] = Field(description="Rows stored with a note (a fresh id).")
    started_at: Timestamp | None
    finished_at: Timestamp | None

    @classmethod
    def of(cls, job: IngestionJob) -> "IngestionJobOutput":
        return cls.model_validate(
            {
                "job_id": job.pk,
                "status": job.status,
                "phase": job.phase,
                "progress": {"processed_rows": job.processed_rows, "total_rows": job.total_rows},
                "counts": job.counts,
                "errors": job.errors,
                "warnings": job.warnings,
                "started_at": job.started_at,
                "finished_at": job.finished_at,
            }
        )


def refuse_oversized(request: Request) -> None:
    """An upload over INGEST_MAX_UPLOAD_MB is refused (413) before a byte of it is stored."""
    limit = settings.INGEST_MAX_UPLOAD_MB
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0  # Django's parser refuses the body itself
    if length > limit * 1024 * 1024:
        raise TooLarge(f"An upload may be at most {limit} MB (INGEST_MAX_UPLOAD_MB).")


class IngestApi(APIView):
    roles = (Role.OPERATIONS,)
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Upload the history spreadsheets; they are ingested in the background",
        request={"multipart/form-data": IngestInput},
        responses={
            202: IngestAcceptedOutput,
            **error_responses(
                400,
                409,
                413,
                422,
                examples=(ApiError(INVALID_FIELDS, fields={"loans": [NOT_A_SPREADSHEET]}),),
            ),
        },
    )
    @idempotent
    def post(self, request: Request) -> Response:
        refuse_oversized(request)
        files = parse(IngestInput, request.data)
        job = start_ingestion(files.uploads())
        url = request.build_absolute_uri(reverse("ingest-status", args=[job.pk]))
        return respond(
            IngestAcceptedOutput,
            {"job_id": job.pk, "status": job.status, "status_url": url},
            status.HTTP_202_ACCEPTED,
        )


class IngestStatusApi(APIView):
    roles = (Role.OPERATIONS,)

    @extend_schema(
        summary="An ingestion job's status, progress, counts and reported rows",
        responses={200: IngestionJobOutput, **error_responses(404, examples=(JobNotFound(42),))},
    )
    def get(self, request: Request, job_id: int) -> Response:
        return respond(IngestionJobOutput, IngestionJobOutput.of(get_job(job_id)))
