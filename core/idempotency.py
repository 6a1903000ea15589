"""Idempotency-Key on POST endpoints, with the semantics payment APIs use (docs/idempotency.md).

A client that may retry a POST sends `Idempotency-Key: <1-255 printable ASCII characters, no
space first or last>`:

- the first request runs, and its status and body are kept for IDEMPOTENCY_TTL_HOURS (24);
- a retry with the same key and the same request gets that status and body again, with
  `Idempotent-Replayed: true`, and the handler does not run again;
- the same key with a different request → 422 `idempotency_key_reused`;
- a retry while the first is still running waits for it (up to IDEMPOTENCY_WAIT_SECONDS on
  PostgreSQL, the database timeout on SQLite) and then replays; past the wait → 409
  `idempotency_in_progress`.

Keys are scoped by method, path (without a trailing slash) and client (the API key's
fingerprint, or "anonymous"), so two clients or two endpoints never see each other's keys.

How: the record (core.models.IdempotencyRecord) and the handler's effects live in ONE
transaction. The record is inserted first; a concurrent request with the same key blocks on the
unique index until that transaction ends, then finds the committed record and replays it (or,
after a rollback, runs as the first). So a booked loan and its stored response commit together
or not at all, across gunicorn workers and hosts. A handler that raises (ApiError, validation
error, anything) rolls the transaction back: nothing is stored and a retry runs again. A 5xx
is never stored (and its transaction is rolled back too). Only the status, Content-Type and body
are kept, not other headers. Without the header the view runs exactly as before: no extra
query.

The same guarantee serves the console's forms (`once`, with a key per rendered form): a
double-clicked or resubmitted form does its work once and answers as the first did.

Usage, on any DRF APIView whose handler returns a Response::

    from core.idempotency import idempotent

    class PaymentApi(APIView):
        @extend_schema(...)      # decorators that describe the view go above
        @idempotent
        def post(self, request: Request, loan_id: int) -> Response:
            ...

The handler must not open its own connection or commit by hand; nested `transaction.atomic()`
blocks (savepoints) are fine, and background work must be started with
`transaction.on_commit`, so that a replay starts nothing and a rollback starts nothing.
Failures must be raised (ApiError, serializer.is_valid(raise_exception=True)), not returned:
a 4xx Response the handler returns is an answer like any other and is stored and replayed.
"""

import functools
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal
from typing import Any, Concatenate, ParamSpec, TypeVar

import simplejson
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import OperationalError, connection, transaction
from django.http import QueryDict
from django.utils import timezone
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.auth import client_of
from core.errors import ApiError, ConflictError, ErrorCode
from core.models import IdempotencyRecord

IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
# Read from META: request.headers would copy every header on every request to these views.
IDEMPOTENCY_KEY_META = "HTTP_IDEMPOTENCY_KEY"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
# Printable ASCII, spaces inside only (HTTP drops a header value's own edges): the OpenAPI
# document gives clients this very pattern (core.schema).
KEY_PATTERN = "[!-~](?:[ -~]*[!-~])?"
_VALID_KEY = re.compile(KEY_PATTERN)
ANONYMOUS = "anonymous"
# PostgreSQL's lock_not_available: a statement waited longer than lock_timeout.
_LOCK_NOT_AVAILABLE = "55P03"

View = TypeVar("View", bound=APIView)
Params = ParamSpec("Params")
Handler = Callable[Concatenate[View, Request, Params], Response]


class InvalidIdempotencyKey(ApiError):
    """A 400 validation error naming the header, as ApiError answers by default."""


class IdempotencyKeyReused(ApiError):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    code = ErrorCode.IDEMPOTENCY_KEY_REUSED


class IdempotencyInProgress(ConflictError):
    code = ErrorCode.IDEMPOTENCY_IN_PROGRESS


def idempotent(handler: Handler[View, Params]) -> Handler[View, Params]:
    """Make a DRF view method honour the Idempotency-Key header (see the module docstring)."""

    @functools.wraps(handler)
    def wrapper(
        view: View, request: Request, /, *args: Params.args, **kwargs: Params.kwargs
    ) -> Response:
        key = request.META.get(IDEMPOTENCY_KEY_META)
        if key is None:
            return handler(view, request, *args, **kwargs)
        return _once(view, request, key, lambda: handler(view, request, *args, **kwargs))

    wrapper.idempotent = True  # type: ignore[attr-defined]  # core.schema documents the header
    return wrapper


def purge_expired() -> int:
    """Delete the records past their expiry (hourly by beat; manage.py purge_idempotency_keys);
    returns how many."""
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


def scope_of(method: str, path: str, client: str | None) -> str:
    """Where a key is unique: method, path without its trailing slash, and client."""
    return f"{method.upper()} {path.rstrip('/') or '/'} {client or ANONYMOUS}"


def request_scope(request: Request) -> str:
    return scope_of(request.method or "", request.path, client_of(request))


def request_fingerprint(request: Request) -> str:
    """sha256 of a canonical form of the request, independent of JSON spacing and key order
    or of the multipart boundary: the parsed JSON, or the form's values with each uploaded
    file's name and sha256; plus the query string."""
    data = request.data
    canonical: dict[str, Any]
    if isinstance(data, QueryDict):
        canonical = {"form": canonical_form(data.lists())}
    else:
        canonical = {"json": _by_value(data)}
    canonical["query"] = sorted(request.query_params.lists())
    return _sha256(canonical)


def canonical_form(fields: Iterable[tuple[str, list[Any]]]) -> list[tuple[str, list[Any]]]:
    """A form's values by name, each uploaded file as its name and the sha256 of its bytes."""
    return sorted((name, [_form_value(value) for value in values]) for name, values in fields)


def form_fingerprint(fields: Iterable[tuple[str, list[Any]]]) -> str:
    """sha256 of a form's canonical values (the console's forms)."""
    return _sha256({"form": canonical_form(fields)})


def _sha256(canonical: dict[str, Any]) -> str:
    text = simplejson.dumps(
        canonical, use_decimal=True, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _by_value(data: Any) -> Any:
    """JSON with every number written by its value: 15, 15.0 and 1.5e1 are one amount (a
    Decimal normalized; zero without its sign). Text stays text: "15" is not 15."""
    if isinstance(data, dict):
        return {key: _by_value(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_by_value(item) for item in data]
    if isinstance(data, Decimal | int) and not isinstance(data, bool):
        number = Decimal(data)
        return Decimal(0) if number == 0 else number.normalize(_EXACT)
    return data


# Enough digits that normalizing never rounds a number a JSON body can carry.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


def _form_value(value: Any) -> Any:
    if not isinstance(value, UploadedFile):
        return str(value)
    digest = hashlib.sha256()
    for chunk in value.chunks():
        digest.update(chunk)
    value.seek(0)
    return {"file": value.name, "sha256": digest.hexdigest()}


def _check_key(key: str) -> None:
    if len(key) > MAX_KEY_LENGTH or not _VALID_KEY.fullmatch(key):
        raise InvalidIdempotencyKey(
            f"The {IDEMPOTENCY_KEY_HEADER} header is not valid.",
            {
                IDEMPOTENCY_KEY_HEADER: [
                    f"Must be 1 to {MAX_KEY_LENGTH} printable ASCII characters, "
                    "no space first or last."
                ]
            },
        )


@dataclass(frozen=True)
class Answer:
    """What is kept of a request's answer and given to its retries: status, type and body."""

    status: int
    content_type: str = ""
    body: str = ""


def once(
    scope: str, key: str, fingerprint: str, handle: Callable[[], Answer]
) -> tuple[Answer, bool]:
    """`handle`'s answer, run in one transaction with the record of (scope, key); or, when that
    record already holds an answer, that answer again without running `handle`. The flag says
    which (True: replayed). `handle` raising rolls everything back and keeps nothing; a 5xx
    answer is given but rolled back and not kept."""
    _check_key(key)
    claimed = False
    try:
        with transaction.atomic():
            record, created = _claim(scope, key, fingerprint)
            claimed = True
            if not created:
                if record.request_fingerprint != fingerprint:
                    raise IdempotencyKeyReused(
                        f"This {IDEMPOTENCY_KEY_HEADER} was used with a different request; "
                        "use a new key for a new request."
                    )
                assert record.response_status is not None, "a committed record has its answer"
                kept = Answer(
                    record.response_status, record.response_content_type, record.response_body
                )
                return kept, True
            answer = handle()
            if answer.status >= 500:
                transaction.set_rollback(True)
                return answer, False
            record.response_status = answer.status
            record.response_content_type = answer.content_type
            record.response_body = answer.body
            record.save(update_fields=["response_status", "response_content_type", "response_body"])
            return answer, False
    except OperationalError as exc:
        if claimed or not _is_lock_wait(exc):
            raise
        raise IdempotencyInProgress(
            f"A request with this {IDEMPOTENCY_KEY_HEADER} is still being processed; retry later."
        ) from exc


def _once(view: APIView, request: Request, key: str, handle: Callable[[], Response]) -> Response:
    answered: list[Response] = []

    def answer() -> Answer:
        response = handle()
        answered.append(response)
        if response.status_code >= 500:
            return Answer(response.status_code)
        # Rendered now (DRF would right after), so the exact bytes are kept.
        view.finalize_response(request, response)
        response.render()
        return Answer(
            response.status_code,
            response.get("Content-Type", ""),
            response.content.decode("utf-8"),
        )

    kept, replayed = once(request_scope(request), key, request_fingerprint(request), answer)
    return ReplayedResponse(kept) if replayed else answered[0]


def _claim(scope: str, key: str, fingerprint: str) -> tuple[IdempotencyRecord, bool]:
    """The record for (scope, key), inserted if new; waits while another transaction holds it.

    An expired record is deleted and the request proceeds as new.
    """
    now = timezone.now()
    defaults = {
        "request_fingerprint": fingerprint,
        "created_at": now,
        "expires_at": now + timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS),
    }
    with _lock_wait(settings.IDEMPOTENCY_WAIT_SECONDS):
        record, created = IdempotencyRecord.objects.get_or_create(
            scope=scope, key=key, defaults=defaults
        )
        if not created and record.expires_at <= now:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            record, created = IdempotencyRecord.objects.get_or_create(
                scope=scope, key=key, defaults=defaults
            )
    return record, created


@contextmanager
def _lock_wait(seconds: int) -> Iterator[None]:
    """PostgreSQL: inside, a wait for a row or index lock gives up after `seconds`; the handler
    afterwards runs with the usual setting. SQLite waits for its database lock at BEGIN
    instead, up to the database timeout (20 s in config/settings/base.py)."""
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{seconds * 1000}ms"])
    yield
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout TO DEFAULT")


def _is_lock_wait(exc: OperationalError) -> bool:
    if getattr(exc.__cause__, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
        return True
    return connection.vendor == "sqlite" and "database is locked" in str(exc)


class ReplayedResponse(Response):
    """A kept answer sent again as it was, marked with `Idempotent-Replayed: true`."""

    def __init__(self, kept: Answer) -> None:
        super().__init__(status=kept.status, headers={REPLAYED_HEADER: "true"})
        self.stored_body = kept.body.encode("utf-8")
        self.stored_content_type = kept.content_type

    @property
    def rendered_content(self) -> Any:
        if self.stored_content_type:
            self["Content-Type"] = self.stored_content_type
        else:
            del self["Content-Type"]
        return self.stored_body
