from enum import StrEnum
from typing import TYPE_CHECKING, Any

from csp.decorators import csp_update
from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import Field
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.auth import (
    WWW_AUTHENTICATE,
    ApiKeyAuthentication,
    HasApiKey,
    keys_required,
    request_client,
)
from core.contract import Declaration, Timestamp, respond
from core.errors import RETRY_AFTER_SECONDS, ErrorCode, error_body
from core.health import DISABLED, OK, UNREACHABLE, health
from core.json import DecimalJSONRenderer
from core.metrics import exposition


class CheckState(StrEnum):
    OK = OK
    UNREACHABLE = UNREACHABLE
    DISABLED = DISABLED


class HealthStatus(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    UNAVAILABLE = "unavailable"


class HealthChecks(Declaration):
    database: CheckState
    redis: CheckState
    worker: CheckState


class HealthStatusOutput(Declaration):
    """What anyone may know: whether the service serves."""

    status: HealthStatus
    database: CheckState = Field(description="Same as checks.database.")


class HealthOutput(HealthStatusOutput):
    """With a key (or HEALTH_DETAILS_PUBLIC=true, or no keys configured): every part."""

    version: str
    checks: HealthChecks
    counts: dict[str, int] | None = Field(
        description="Rows per kind (customers, loans); null while the database is unreachable."
    )
    counts_as_of: Timestamp | None = Field(
        description="When the counts were taken: each server process keeps them for 5 seconds."
    )


def sees_health_details(request: HttpRequest) -> bool:
    return settings.HEALTH_DETAILS_PUBLIC or not keys_required() or bool(request_client(request))


_HEALTHY = {
    "status": "ok",
    "database": "ok",
    "version": "1.0.0",
    "checks": {"database": "ok", "redis": "ok", "worker": "ok"},
    "counts": {"customers": 300, "loans": 782},
    "counts_as_of": "2026-12-01T16:45:05.469271+05:30",
}


class HealthApi(APIView):
    """Open to probes: no key, no rate limit."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(
        summary="Service health",
        description="200 while the database answers (status `degraded` when Redis or the Celery "
        "worker does not); 503 when the database does not. Without an X-API-Key only `status` "
        "and `database`: the version, checks and row counts are for key holders.",
        responses={
            200: OpenApiResponse(
                HealthOutput, examples=[OpenApiExample("healthy", value=_HEALTHY)]
            ),
            503: OpenApiResponse(HealthOutput, description="The database is unreachable."),
        },
    )
    def get(self, request: Request) -> Response:
        report = health()
        shown = HealthOutput if sees_health_details(request) else HealthStatusOutput
        if report.serving:
            return respond(shown, report)
        # An outage, as every other path answers one (core.errors.outage_response).
        return respond(shown, report, 503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


class ServiceIndexOutput(Declaration):
    """What `GET /` tells an API client: where the documentation and the rest are."""

    service: str
    docs: str = Field(description="Swagger UI.")
    openapi: str = Field(description="The OpenAPI document.")
    console: str = Field(description="The console, for people in a browser.")
    health: str


class ServiceIndexApi(APIView):
    """`GET /`: a browser (it prefers text/html) is sent to the console; any other client is
    told where the docs are. Open like /health: it names paths, nothing else."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # A browser's Accept (text/html) is answered with a redirect, never rendered.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary="Where things are",
        description="A browser (Accept prefers text/html) is redirected (302) to the console; "
        "any other client gets the paths of the API's documentation.",
        responses={
            200: ServiceIndexOutput,
            302: OpenApiResponse(description="To the console, for a browser."),
        },
    )
    def get(self, request: Request) -> HttpResponseBase:
        headers = {"Vary": "Accept"}
        if request.get_preferred_type(["application/json", "text/html"]) == "text/html":
            return HttpResponseRedirect(reverse("console:dashboard"), headers=headers)
        index = {
            "service": settings.SPECTACULAR_SETTINGS["TITLE"],
            "docs": reverse("docs"),
            "openapi": reverse("schema"),
            "console": reverse("console:dashboard"),
            "health": reverse("health"),
        }
        return respond(ServiceIndexOutput, index, headers=headers)


# A mixin for views with their own metaclass; typed as an APIView for the checker only.
if TYPE_CHECKING:
    _View = APIView
else:
    _View = object


class JsonErrors(_View):
    """Errors in the JSON envelope even from views whose success is YAML or HTML."""

    def handle_exception(self, exc: Exception) -> Response:
        response: Response = super().handle_exception(exc)
        self.request.accepted_renderer = DecimalJSONRenderer()
        self.request.accepted_media_type = DecimalJSONRenderer.media_type
        return response


class SchemaApi(JsonErrors, SpectacularAPIView):
    """The OpenAPI document, behind the API key like the endpoints it describes."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasApiKey]


@method_decorator(csp_update({"img-src": ["data:"]}), name="dispatch")
class DocsApi(JsonErrors, SpectacularSwaggerSplitView):
    """Swagger UI, behind the API key like the endpoints it describes. Split: its start-up script
    is a file of its own (?script), not inline, so the page runs under the Content-Security-
    Policy every page has, plus data: images (Swagger UI's icons)."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasApiKey]
    template_name = "core/swagger_ui.html"


@csrf_exempt  # no cookies here: a POST is a 405 in the envelope, not a CSRF refusal
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus text format; behind the API key unless METRICS_PUBLIC=true. A plain view, not
    DRF's: a scraper's Accept header (text/plain, OpenMetrics) must not meet JSON negotiation."""
    if request.method not in ("GET", "HEAD"):
        return JsonResponse(
            error_body(ErrorCode.METHOD_NOT_ALLOWED, f'Method "{request.method}" not allowed.'),
            status=status.HTTP_405_METHOD_NOT_ALLOWED,
            headers={"Allow": "GET, HEAD"},
        )
    if not settings.METRICS_PUBLIC and keys_required() and request_client(request) is None:
        return JsonResponse(
            error_body(ErrorCode.NOT_AUTHENTICATED, "/metrics needs a valid X-API-Key header."),
            status=status.HTTP_401_UNAUTHORIZED,
            headers={"WWW-Authenticate": WWW_AUTHENTICATE},
        )
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
