from typing import Any

from django.urls import reverse
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.idempotency import idempotent
from ingestion.models import FileKind, IngestionJob
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
    parser_classes = [MultiPartParser, FormParser]

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
    def get(self, request: Request, job_id: int) -> Response:
        return Response(job_body(get_job(job_id)))
