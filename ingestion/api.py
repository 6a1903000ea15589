from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.auth import Role
from core.idempotency import idempotent
from core.schema import error_responses
from ingestion.models import FileKind, IngestionJob, JobStatus
from ingestion.selectors import get_job
from ingestion.services import create_job, is_spreadsheet, start_in_background

NO_FILE = "Upload a customers file, a loans file, or both."


class SpreadsheetField(serializers.FileField):
    def to_internal_value(self, data: Any) -> Any:
        upload = super().to_internal_value(data)
        if not is_spreadsheet(upload):
            raise serializers.ValidationError("Not a spreadsheet: upload the .xlsx file.")
        return upload


class IngestInput(serializers.Serializer[Any]):
    customers = SpreadsheetField(required=False)
    loans = SpreadsheetField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError({kind: [NO_FILE] for kind in FileKind.values})
        return attrs


class ProblemOutput(serializers.Serializer[Any]):
    file = serializers.CharField(allow_null=True)
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class IngestAcceptedOutput(serializers.Serializer[Any]):
    job_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=JobStatus.values)
    status_url = serializers.URLField()


class RowCountsOutput(serializers.Serializer[Any]):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()


class JobCountsOutput(serializers.Serializer[Any]):
    customers = RowCountsOutput()
    loans = RowCountsOutput()


class ProgressOutput(serializers.Serializer[Any]):
    processed_rows = serializers.IntegerField()
    total_rows = serializers.IntegerField()


# Built inline: a declared `errors` field would shadow Serializer.errors. Documents job_body.
JOB_OUTPUT = inline_serializer(
    "IngestionJob",
    fields={
        "job_id": serializers.IntegerField(),
        "status": serializers.ChoiceField(choices=JobStatus.values),
        "phase": serializers.CharField(),
        "progress": ProgressOutput(),
        "counts": JobCountsOutput(),
        "errors": ProblemOutput(many=True, help_text="Rejected rows; row is the Excel row."),
        "warnings": ProblemOutput(many=True, help_text="Rows stored with a note (a fresh id)."),
        "started_at": serializers.DateTimeField(allow_null=True),
        "finished_at": serializers.DateTimeField(allow_null=True),
    },
)


def job_body(job: IngestionJob) -> dict[str, Any]:
    stamp = serializers.DateTimeField()
    return {
        "job_id": job.pk,
        "status": job.status,
        "phase": job.phase,
        "progress": {"processed_rows": job.processed_rows, "total_rows": job.total_rows},
        "counts": job.ordered_counts(),
        "errors": ProblemOutput(job.errors, many=True).data,
        "warnings": ProblemOutput(job.warnings, many=True).data,
        "started_at": stamp.to_representation(job.started_at) if job.started_at else None,
        "finished_at": stamp.to_representation(job.finished_at) if job.finished_at else None,
    }


class IngestApi(APIView):
    roles = (Role.OPERATIONS,)
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Upload the history spreadsheets; they are ingested in the background",
        request={"multipart/form-data": IngestInput},
        responses={202: IngestAcceptedOutput, **error_responses(400, 409, 422)},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = IngestInput(data=request.data)
        data.is_valid(raise_exception=True)
        job = create_job(data.validated_data)
        start_in_background(job)
        url = request.build_absolute_uri(reverse("ingest-status", args=[job.pk]))
        return Response(
            {"job_id": job.pk, "status": job.status, "status_url": url},
            status=status.HTTP_202_ACCEPTED,
        )


class IngestStatusApi(APIView):
    roles = (Role.OPERATIONS,)

    @extend_schema(
        summary="An ingestion job's status, progress, counts and reported rows",
        responses={200: JOB_OUTPUT, **error_responses(404)},
    )
    def get(self, request: Request, job_id: int) -> Response:
        return Response(job_body(get_job(job_id)))
