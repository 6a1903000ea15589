"""OpenAPI pieces every endpoint shares: the error envelope, the API key scheme and the headers."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    inline_serializer,
)
from rest_framework import serializers

from core.auth import API_KEY_HEADER
from core.errors import ErrorCode, error_body
from core.idempotency import IDEMPOTENCY_KEY_HEADER
from core.middleware import REQUEST_ID_HEADER

ERROR_CODES = [code.value for code in ErrorCode]


class ErrorEnvelope(serializers.Serializer[Any]):
    # Built inline because a declared `fields` attribute would shadow Serializer.fields.
    error = inline_serializer(
        "ErrorDetail",
        fields={
            "code": serializers.ChoiceField(choices=ERROR_CODES),
            "message": serializers.CharField(),
            "fields": serializers.DictField(
                child=serializers.ListField(child=serializers.CharField()),
                help_text="Messages per invalid input field; empty when no field is to blame.",
            ),
        },
    )


_ERRORS: dict[int, tuple[str, dict[str, Any]]] = {
    400: (
        "Invalid input: the envelope's `fields` says which fields and why.",
        error_body(
            ErrorCode.VALIDATION_ERROR,
            "The request has invalid fields.",
            {"tenure": ["Ensure this value is less than or equal to 360."]},
        ),
    ),
    401: (
        f"No {API_KEY_HEADER} header, or not a valid key.",
        error_body(ErrorCode.NOT_AUTHENTICATED, "The API key is not valid."),
    ),
    404: (
        "The customer, loan or decision does not exist.",
        error_body(ErrorCode.CUSTOMER_NOT_FOUND, "No customer with id 42."),
    ),
    409: (
        "A conflict with the current state: a phone number already registered, a closed loan.",
        error_body(
            ErrorCode.PHONE_NUMBER_TAKEN,
            "Phone number 9876543210 is already registered.",
            {"phone_number": ["This phone number is already registered."]},
        ),
    ),
    422: (
        "The Idempotency-Key was used before with a different request.",
        error_body(
            ErrorCode.IDEMPOTENCY_KEY_REUSED,
            "This Idempotency-Key was used with a different request.",
        ),
    ),
    429: (
        "Over the rate limit; Retry-After says how many seconds to wait.",
        error_body(ErrorCode.THROTTLED, "Request was throttled. Expected available in 12 seconds."),
    ),
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """The envelope for `statuses`, plus the 401 and 429 any endpoint behind a key may answer."""
    return {
        status: OpenApiResponse(
            ErrorEnvelope,
            description=_ERRORS[status][0],
            examples=[OpenApiExample(f"{status}", value=_ERRORS[status][1])],
        )
        for status in sorted({*statuses, 401, 429})
    }


REQUEST_ID = OpenApiParameter(
    REQUEST_ID_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Echo of the request's X-Request-ID, or a new id; it is in the request's log line.",
    response=True,
)
IDEMPOTENCY_KEY = OpenApiParameter(
    IDEMPOTENCY_KEY_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=(
        "1-255 printable ASCII characters. A retry with the same key and request replays the "
        "first answer (Idempotent-Replayed: true) instead of running again; the same key with "
        "another request is a 422, one still running a 409 (docs/idempotency.md)."
    ),
)
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    description="Seconds until the rate limit lets the client in again.",
    response=[429],
)


class ApiKeyScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "core.auth.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, str]:
        return {"type": "apiKey", "in": "header", "name": API_KEY_HEADER}


def without_trailing_slash_twins(
    endpoints: list[tuple[str, str, str, Any]], **kwargs: Any
) -> list[tuple[str, str, str, Any]]:
    """Each route also answers with a trailing slash (config/urls.py); document it once."""
    paths = {path for path, *_ in endpoints}
    return [
        endpoint
        for endpoint in endpoints
        if not (endpoint[0].endswith("/") and endpoint[0].rstrip("/") in paths)
    ]


class ApiSchema(AutoSchema):
    """Every operation also documents the X-Request-ID it echoes and the 429's Retry-After, and
    the Idempotency-Key header where core.idempotency.idempotent wraps the handler."""

    def get_override_parameters(self) -> list[Any]:
        handler = getattr(self.view, self.method.lower(), None)
        keyed = [IDEMPOTENCY_KEY] if getattr(handler, "idempotent", False) else []
        return [*super().get_override_parameters(), REQUEST_ID, RETRY_AFTER, *keyed]
