"""One error envelope for the whole API: {"error": {"code", "message", "fields"}}.

core/ owns the codes every endpoint may answer (validation, authentication, throttling, …);
each app owns an enum of its own codes and registers it in its AppConfig.ready, so the OpenAPI
document lists them all without core knowing the apps.
"""

import logging
import sys
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponseBase, JsonResponse
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from core.contract import Declaration, InconsistentInput, InvalidInput
from core.json import TooLarge

logger = logging.getLogger(__name__)


class ErrorCode(StrEnum):
    VALIDATION_ERROR = "validation_error"
    MALFORMED_REQUEST = "malformed_request"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    NOT_ACCEPTABLE = "not_acceptable"
    NOT_AUTHENTICATED = "not_authenticated"
    PERMISSION_DENIED = "permission_denied"
    THROTTLED = "throttled"
    CONFLICT = "conflict"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    IDEMPOTENCY_IN_PROGRESS = "idempotency_in_progress"
    REQUEST_TOO_LARGE = "request_too_large"
    SERVICE_UNAVAILABLE = "service_unavailable"
    INTERNAL_ERROR = "internal_error"


_REGISTERED: list[type[StrEnum]] = [ErrorCode]


def register_error_codes(codes: type[StrEnum]) -> None:
    """An app's own codes, for the OpenAPI document's list; called from AppConfig.ready."""
    if codes not in _REGISTERED:
        _REGISTERED.append(codes)


def error_codes() -> list[str]:
    return [str(code) for codes in _REGISTERED for code in codes]


class ApiError(Exception):
    """A domain error the API turns into the envelope; services raise these, views never catch."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    code: str = ErrorCode.VALIDATION_ERROR

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFoundError(ApiError):
    status_code = status.HTTP_404_NOT_FOUND
    code: str = ErrorCode.NOT_FOUND


class ConflictError(ApiError):
    status_code = status.HTTP_409_CONFLICT
    code: str = ErrorCode.CONFLICT


class UnprocessableError(ApiError):
    """Fields each well formed that a rule between them refuses (contract.InconsistentInput)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY


class ErrorDetail(Declaration):
    # The list of codes is every app's (error_codes()); core.schema puts it in the document.
    code: str
    message: str
    fields: dict[str, Any]


class ErrorEnvelope(Declaration):
    error: ErrorDetail


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": str(code), "message": message, "fields": fields or {}}}


_DRF_CODES: dict[type[exceptions.APIException], ErrorCode] = {
    exceptions.ParseError: ErrorCode.MALFORMED_REQUEST,
    exceptions.NotFound: ErrorCode.NOT_FOUND,
    exceptions.MethodNotAllowed: ErrorCode.METHOD_NOT_ALLOWED,
    exceptions.UnsupportedMediaType: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    exceptions.NotAcceptable: ErrorCode.NOT_ACCEPTABLE,
    exceptions.NotAuthenticated: ErrorCode.NOT_AUTHENTICATED,
    exceptions.AuthenticationFailed: ErrorCode.NOT_AUTHENTICATED,
    exceptions.PermissionDenied: ErrorCode.PERMISSION_DENIED,
    exceptions.Throttled: ErrorCode.THROTTLED,
    TooLarge: ErrorCode.REQUEST_TOO_LARGE,
}
INVALID_FIELDS = "The request has invalid fields."


def as_drf_exception(exc: Exception) -> Exception:
    """Django's own exceptions (Http404 from get_object_or_404, PermissionDenied, a model's
    ValidationError, and the request limits it enforces) as the DRF exceptions the handler
    answers."""
    if isinstance(exc, RequestDataTooBig):
        return TooLarge()
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return exceptions.ParseError(
            "The request has more fields, files or query parameters than the service accepts."
        )
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, DjangoValidationError):
        fields = as_serializer_error(exc)
        if NON_FIELD_ERRORS in fields:  # Django's "__all__", the envelope's "non_field_errors"
            fields[api_settings.NON_FIELD_ERRORS_KEY] = fields.pop(NON_FIELD_ERRORS)
        return exceptions.ValidationError(fields)
    if isinstance(exc, InconsistentInput):
        return UnprocessableError(INVALID_FIELDS, exc.fields)
    if isinstance(exc, InvalidInput):
        return exceptions.ValidationError(exc.fields)
    return exc


def _as_messages(detail: Any) -> Any:
    """DRF's nested ErrorDetail structure as plain strings, keeping the nesting."""
    if isinstance(detail, dict):
        return {str(key): _as_messages(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_as_messages(item) for item in detail]
    return str(detail)


def api_exception_handler(
    exc: Exception, context: dict[str, Any]
) -> Response | HttpResponseBase | None:
    """Every error as the envelope, its transaction rolled back: domain errors with their own
    code, DRF's (and Django's) with theirs, an unreachable database as a 503, anything else a
    500 that is logged."""
    exc = as_drf_exception(exc)
    set_rollback()
    if isinstance(exc, ApiError):
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status_code)
    if isinstance(exc, exceptions.APIException):
        # DRF's own handler sets WWW-Authenticate on 401s and Retry-After on 429s.
        response = drf_exception_handler(exc, context)
        assert response is not None, "DRF answers every APIException"
        response.data = _envelope_of(exc)
        return response
    if is_outage(exc):
        return outage_response(context["request"], exc)
    logger.exception("Unhandled error in %s", _view_name(context))
    return Response(
        error_body(ErrorCode.INTERNAL_ERROR, "An internal error occurred."),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


# --- Outages: every path's answer, from every layer ------------------------------------------

RETRY_AFTER_SECONDS = 1
OUTAGE_MESSAGE = "The database is unavailable; retry shortly."


def is_staff_path(request: HttpRequest) -> bool:
    """A path people use in a browser (settings.STAFF_PATHS: the admin, the console)."""
    return request.path_info.startswith(settings.STAFF_PATHS)


def is_outage(exc: BaseException | None) -> bool:
    """The database is down, restarting, or dropped this connection (Django replaces it after
    the request): worth a retry, unlike a 500."""
    return isinstance(exc, OperationalError | InterfaceError)


def outage_response(request: HttpRequest, exc: BaseException) -> HttpResponseBase:
    """The one answer to an outage, whichever layer met it: 503 with Retry-After, the people's
    page (settings.STAFF_OUTAGE_VIEW, which must not need the database) on their paths and the
    envelope elsewhere. Reached from DRF's handler (the API), core.middleware.OutageMiddleware
    (every other view) and server_error_view (a middleware's own query)."""
    logger.warning("Database unavailable at %s: %s", request.path, exc)
    response: HttpResponseBase
    if is_staff_path(request):
        response = import_string(settings.STAFF_OUTAGE_VIEW)(request)
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    else:
        response = JsonResponse(
            error_body(ErrorCode.SERVICE_UNAVAILABLE, OUTAGE_MESSAGE),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _envelope_of(exc: exceptions.APIException) -> dict[str, Any]:
    if isinstance(exc, exceptions.ValidationError):
        fields = _as_messages(exc.detail)
        if not isinstance(fields, dict):
            fields = {"non_field_errors": fields}
        return error_body(ErrorCode.VALIDATION_ERROR, INVALID_FIELDS, fields)
    code = next(
        (code for kind, code in _DRF_CODES.items() if isinstance(exc, kind)),
        ErrorCode.MALFORMED_REQUEST,
    )
    return error_body(code, str(exc.detail))


def _view_name(context: dict[str, Any]) -> str:
    return context.get("view").__class__.__name__


@csrf_exempt  # a POST to no endpoint is a 404, not a CSRF refusal
def not_found_view(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(
        error_body(ErrorCode.NOT_FOUND, f"No endpoint at {request.path}."), status=404
    )


def bad_request_view(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body(ErrorCode.MALFORMED_REQUEST, "Bad request."), status=400)


def permission_denied_view(
    request: HttpRequest, exception: Exception | None = None
) -> JsonResponse:
    return JsonResponse(error_body(ErrorCode.PERMISSION_DENIED, "Forbidden."), status=403)


def server_error_view(request: HttpRequest) -> HttpResponseBase:
    """Django's 500 (DEBUG off), for an error outside any view: a middleware's own query (a
    session saved, say) that met an outage is still a 503."""
    failure = sys.exc_info()[1]
    if is_outage(failure):
        assert failure is not None
        return outage_response(request, failure)
    return JsonResponse(
        error_body(ErrorCode.INTERNAL_ERROR, "An internal error occurred."), status=500
    )
