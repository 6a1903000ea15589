"""One error envelope for the whole API: {"error": {"code", "message", "fields"}}."""

import logging
from enum import StrEnum
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

logger = logging.getLogger(__name__)


class ErrorCode(StrEnum):
    VALIDATION_ERROR = "validation_error"
    MALFORMED_REQUEST = "malformed_request"
    NOT_FOUND = "not_found"
    CUSTOMER_NOT_FOUND = "customer_not_found"
    LOAN_NOT_FOUND = "loan_not_found"
    DECISION_NOT_FOUND = "decision_not_found"
    LOAN_CLOSED = "loan_closed"
    LOAN_NOT_SERVICED_HERE = "loan_not_serviced_here"
    PHONE_NUMBER_TAKEN = "phone_number_taken"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    NOT_ACCEPTABLE = "not_acceptable"
    NOT_AUTHENTICATED = "not_authenticated"
    PERMISSION_DENIED = "permission_denied"
    THROTTLED = "throttled"
    CONFLICT = "conflict"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    IDEMPOTENCY_IN_PROGRESS = "idempotency_in_progress"
    SERVICE_UNAVAILABLE = "service_unavailable"
    INTERNAL_ERROR = "internal_error"


class ApiError(Exception):
    """A domain error the API turns into the envelope; services raise these, views never catch."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    code: ErrorCode = ErrorCode.VALIDATION_ERROR

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFoundError(ApiError):
    status_code = status.HTTP_404_NOT_FOUND
    code = ErrorCode.NOT_FOUND


class ConflictError(ApiError):
    status_code = status.HTTP_409_CONFLICT
    code = ErrorCode.CONFLICT


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


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
}


def _as_messages(detail: Any) -> Any:
    """DRF's nested ErrorDetail structure as plain strings, keeping the nesting."""
    if isinstance(detail, dict):
        return {str(key): _as_messages(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_as_messages(item) for item in detail]
    return str(detail)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApiError):
        set_rollback()
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status_code)
    if isinstance(exc, exceptions.ValidationError):
        set_rollback()
        fields = _as_messages(exc.detail)
        if not isinstance(fields, dict):
            fields = {"non_field_errors": fields}
        return Response(
            error_body(ErrorCode.VALIDATION_ERROR, "The request has invalid fields.", fields),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, exceptions.APIException):
        set_rollback()
        code = next(
            (code for kind, code in _DRF_CODES.items() if isinstance(exc, kind)),
            ErrorCode.MALFORMED_REQUEST,
        )
        headers: dict[str, str] = {}
        # DRF puts the authenticator's WWW-Authenticate value on 401s; keep it.
        auth_header = getattr(exc, "auth_header", None)
        if auth_header:
            headers["WWW-Authenticate"] = auth_header
        wait = getattr(exc, "wait", None)
        if wait is not None:
            headers["Retry-After"] = str(int(wait) + 1)
        return Response(error_body(code, str(exc.detail)), status=exc.status_code, headers=headers)
    set_rollback()
    if isinstance(exc, OperationalError | InterfaceError):
        # The database is down, restarting, or dropped this connection (Django replaces it
        # after this request): worth a retry, unlike a 500.
        logger.warning("Database unavailable in %s: %s", _view_name(context), exc)
        return Response(
            error_body(
                ErrorCode.SERVICE_UNAVAILABLE, "The database is unavailable; retry shortly."
            ),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "1"},
        )
    logger.exception("Unhandled error in %s", _view_name(context))
    return Response(
        error_body(ErrorCode.INTERNAL_ERROR, "An internal error occurred."),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def _view_name(context: dict[str, Any]) -> str:
    return context.get("view").__class__.__name__


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


def server_error_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        error_body(ErrorCode.INTERNAL_ERROR, "An internal error occurred."), status=500
    )
