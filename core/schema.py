"""OpenAPI pieces every endpoint shares: the declarations (pydantic models) read by
drf-spectacular, the error envelope, the API key scheme and the headers."""

from typing import Any

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerExtension,
)
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from pydantic import BaseModel

from core.auth import API_KEY_HEADER
from core.contract import whole_value
from core.errors import (
    INVALID_FIELDS,
    ApiError,
    ErrorCode,
    ErrorEnvelope,
    error_body,
    error_codes,
)
from core.idempotency import IDEMPOTENCY_KEY_HEADER, KEY_PATTERN, MAX_KEY_LENGTH
from core.middleware import REQUEST_ID_HEADER

ERROR_CODE_ENUM = "ErrorCodeEnum"


class DeclarationSchema(OpenApiSerializerExtension):  # type: ignore[no-untyped-call]
    """A pydantic model as drf-spectacular's component: its JSON schema as validation reads it
    for a request (`…Request`, as drf-spectacular names request components) and as
    serialization writes it for a response. Ranks above drf-spectacular's own pydantic
    extension, which reads every model the serialization way."""

    target_class = "pydantic.BaseModel"
    match_subclasses = True
    priority = 1

    @staticmethod
    def suffix(direction: str) -> str:
        return "Request" if direction == "request" else ""

    def get_name(self, auto_schema: AutoSchema, direction: str) -> str:
        # drf-spectacular adds "Request" itself.
        return str(self.target.__name__)

    def get_identity(self, auto_schema: AutoSchema, direction: str) -> str:
        """The component's name, as for the nested models registered below by name: a model
        used alone and inside another is one component."""
        return f"{self.target.__name__}{self.suffix(direction)}"

    def map_serializer(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        suffix = self.suffix(direction)
        model: type[BaseModel] = self.target
        schema = model.model_json_schema(
            ref_template="#/components/schemas/{model}" + suffix,
            mode="validation" if direction == "request" else "serialization",
        )
        for name, definition in schema.pop("$defs", {}).items():
            auto_schema.registry.register_on_missing(
                ResolvedComponent(  # type: ignore[no-untyped-call]
                    name=f"{name}{suffix}",
                    type=ResolvedComponent.SCHEMA,
                    object=f"{name}{suffix}",
                    schema=definition,
                )
            )
        return schema


def query_parameters(model: type[BaseModel]) -> list[OpenApiParameter]:
    """A query declaration's fields as OpenAPI query parameters: each one's schema inlined
    (an enum's definition in place of its reference), and optional rather than nullable."""
    schema = model.model_json_schema(mode="validation")
    definitions = schema.get("$defs", {})
    required = set(schema.get("required", []))
    parameters = []
    for name, field in schema["properties"].items():
        kinds = [kind for kind in field.get("anyOf", [field]) if kind.get("type") != "null"]
        (kind,) = kinds
        if "$ref" in kind:
            kind = definitions[kind["$ref"].rsplit("/", 1)[1]]
        description = field.get("description", "")
        plain = {key: value for key, value in kind.items() if key not in ("title", "description")}
        parameters.append(
            OpenApiParameter(
                name,
                plain,
                OpenApiParameter.QUERY,
                required=name in required,
                description=description,
            )
        )
    return parameters


def with_error_codes(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """The envelope's `code` is one of every app's registered codes (core.errors)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas[ERROR_CODE_ENUM] = {"type": "string", "enum": error_codes()}
    detail = schemas.get("ErrorDetail")
    if detail is not None:
        detail["properties"]["code"] = {"$ref": f"#/components/schemas/{ERROR_CODE_ENUM}"}
    return result


def with_required_bodies(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """A body that must hold something (its declaration requires a field, or at least one, as
    an upload of either file) is required: drf-spectacular reads only the `required` list."""
    schemas = result.get("components", {}).get("schemas", {})
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if not body:
                continue
            for content in body.get("content", {}).values():
                name = content.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
                declared = schemas.get(name, {})
                if declared.get("minProperties"):
                    body["required"] = True
    return result


_GENERIC_ERRORS: dict[int, tuple[str, dict[str, Any]]] = {
    400: (
        "Invalid input: the envelope's `fields` says which fields and why.",
        error_body(
            ErrorCode.VALIDATION_ERROR,
            INVALID_FIELDS,
            {"tenure": ["Ensure this value is less than or equal to 360."]},
        ),
    ),
    401: (
        f"No {API_KEY_HEADER} header, or not a valid key.",
        error_body(ErrorCode.NOT_AUTHENTICATED, "The API key is not valid."),
    ),
    403: (
        "Refused to this identity: its role may not, or it asked for this itself (four eyes).",
        error_body(ErrorCode.PERMISSION_DENIED, "This API key's role may not use this endpoint."),
    ),
    404: ("The id in the path names nothing.", error_body(ErrorCode.NOT_FOUND, "Not found.")),
    409: (
        "A conflict with the current state.",
        error_body(ErrorCode.CONFLICT, "The request conflicts with the current state."),
    ),
    413: (
        "The body is over its size limit.",
        error_body(ErrorCode.REQUEST_TOO_LARGE, "An upload may be at most 200 MB."),
    ),
    422: (
        "Fields each well formed that a rule between them refuses (`validation_error`, with "
        "`fields`), or an Idempotency-Key used before with a different request.",
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


def error_responses(
    *statuses: int, examples: tuple[ApiError, ...] = (), beside: str | None = None
) -> dict[Any, Any]:
    """The envelope for `statuses`, plus the 401 and 429 any endpoint behind a key may answer.
    `examples` are the endpoint's own errors (an app's not-found, a conflict), shown in place
    of the generic example of their status. `beside` names the media type of an endpoint's
    success that is not JSON (a CSV): its errors are still JSON."""
    own = {
        error.status_code: error_body(error.code, error.message, error.fields) for error in examples
    }
    responses: dict[Any, Any] = {}
    for status in sorted({*statuses, 401, 429}):
        description, generic = _GENERIC_ERRORS[status]
        key = (status, "application/json") if beside else status
        responses[key] = OpenApiResponse(
            ErrorEnvelope,
            description=description,
            examples=[OpenApiExample(f"{status}", value=own.get(status, generic))],
        )
    return responses


REQUEST_ID = OpenApiParameter(
    REQUEST_ID_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Echo of the request's X-Request-ID, or a new id; it is in the request's log line.",
    response=True,
)
IDEMPOTENCY_KEY = OpenApiParameter(
    IDEMPOTENCY_KEY_HEADER,
    {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_KEY_LENGTH,
        "pattern": whole_value(KEY_PATTERN),
    },
    OpenApiParameter.HEADER,
    description=(
        "1-255 printable ASCII characters, no space first or last. A retry with the same key "
        "and request replays the first answer (Idempotent-Replayed: true) instead of running "
        "again; the same key with another request is a 422, one still running a 409 "
        "(docs/idempotency.md)."
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
