from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.contract import parse, respond
from core.errors import INVALID_FIELDS, ApiError
from core.idempotency import idempotent
from core.json import TooLarge
from core.schema import error_responses, query_parameters
from ingestion.contracts import (
    NOT_A_SPREADSHEET,
    IngestAcceptedOutput,
    IngestInput,
    IngestionJobOutput,
    IngestQuery,
)
from ingestion.errors import JobNotFound
from ingestion.permissions import INGESTION
from ingestion.selectors import get_job
from ingestion.services import start_ingestion


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
    roles = INGESTION
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Upload the history spreadsheets; they are ingested in the background",
        request={"multipart/form-data": IngestInput},
        parameters=query_parameters(IngestQuery),
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
        asked = parse(IngestQuery, request.query_params)
        job = start_ingestion(files.uploads(), dry_run=asked.dry_run)
        url = request.build_absolute_uri(reverse("ingest-status", args=[job.pk]))
        return respond(
            IngestAcceptedOutput,
            {"job_id": job.pk, "status": job.status, "status_url": url},
            status.HTTP_202_ACCEPTED,
        )


class IngestStatusApi(APIView):
    roles = INGESTION

    @extend_schema(
        summary="An ingestion job's status, progress, counts and reported rows",
        responses={200: IngestionJobOutput, **error_responses(404, examples=(JobNotFound(42),))},
    )
    def get(self, request: Request, job_id: int) -> Response:
        return respond(IngestionJobOutput, IngestionJobOutput.of(get_job(job_id)))
