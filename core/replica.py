"""Reads from a PostgreSQL read replica, when one is configured (DATABASE_REPLICA_URL; off by
default), for the endpoints that only read and say so (`replica_reads = True` on the view).

A replica lags its primary by a moment, so a client that has just written must not read from
it: every request that may write (any method but GET, HEAD, OPTIONS) marks its client in Redis
for DATABASE_REPLICA_STICKY_SECONDS, and a marked client reads from the primary. The client is
its API key (by fingerprint) or, without one, its address. Everything else — decisions,
bookings, payments, the active policy, API keys, job status — always reads the primary.

The choice is made once per request (ReplicaReadsMiddleware) and kept in a context variable
that both the ORM (ReplicaRouter) and the hand-written SQL (core.sql) consult.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.http import HttpRequest, HttpResponseBase
from redis.exceptions import RedisError

from core import redis
from core.auth import API_KEY_META, client_address, fingerprint

REPLICA = "replica"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_reads_from: ContextVar[str] = ContextVar("reads_from", default=DEFAULT_DB_ALIAS)


def read_alias() -> str:
    """The database this request's reads go to."""
    return _reads_from.get()


@contextmanager
def reading_from(alias: str) -> Iterator[None]:
    token = _reads_from.set(alias)
    try:
        yield
    finally:
        _reads_from.reset(token)


class ReplicaRouter:
    """Django's router: reads where the request was sent, writes always to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return read_alias()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database and its copy

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's schema


def _client(request: HttpRequest) -> str:
    key = request.META.get(API_KEY_META)
    return f"key:{fingerprint(key)}" if key else f"address:{client_address(request)}"


def _sticky_key(client: str) -> str:
    return f"credit:replica:wrote:{client}"


def _wrote_recently(client: str) -> bool:
    """Unknown (Redis down) counts as yes: the primary is always right."""
    try:
        return bool(redis.client(settings.REDIS_URL).exists(_sticky_key(client)))
    except RedisError:
        return True


def _note_write(client: str) -> None:
    # Redis down: nothing to note, and its next reads go to the primary anyway.
    with suppress(RedisError):
        redis.client(settings.REDIS_URL).set(
            _sticky_key(client), 1, ex=settings.DATABASE_REPLICA_STICKY_SECONDS
        )


class ReplicaReadsMiddleware:
    """Sends a replica-safe view's reads to the replica unless its client wrote recently."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        # A server thread serves request after request in one context: each starts on the
        # primary, and whatever process_view chose ends with it.
        token = _reads_from.set(DEFAULT_DB_ALIAS)
        try:
            response = self.get_response(request)
        finally:
            _reads_from.reset(token)
        if request.method not in SAFE_METHODS:  # once its write has committed
            _note_write(_client(request))
        return response

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponseBase | None:
        view_class = getattr(view, "cls", None)
        if (
            request.method in SAFE_METHODS
            and getattr(view_class, "replica_reads", False)
            and not _wrote_recently(_client(request))
        ):
            _reads_from.set(REPLICA)
        return None
