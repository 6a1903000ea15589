"""What /health reports. The database is asked on every call; the slower or costlier answers
(Celery worker ping, row counts) are kept per process for HEALTH_CACHE_SECONDS, so a probe every
second stays cheap, and the counts say when they were taken (counts_as_of)."""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from kombu.exceptions import KombuError

from config.celery import app as celery_app
from core.redis import client as redis_client

logger = logging.getLogger(__name__)

OK, UNREACHABLE, DISABLED = "ok", "unreachable", "disabled"
PING_TIMEOUT_SECONDS = 0.5

T = TypeVar("T")
# What /health counts, by name: each app registers its own in AppConfig.ready.
_COUNTS: dict[str, Callable[[], int]] = {}
_remembered: dict[str, tuple[float, Any]] = {}
_lock = threading.Lock()


def remembered(name: str, compute: Callable[[], T]) -> T:
    """compute(), or its answer from the last HEALTH_CACHE_SECONDS in this process."""
    now = time.monotonic()
    with _lock:
        hit = _remembered.get(name)
    if hit is not None and now - hit[0] < settings.HEALTH_CACHE_SECONDS:
        value: T = hit[1]
        return value
    value = compute()
    with _lock:
        _remembered[name] = (now, value)
    return value


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("Health check: the database is unreachable", exc_info=True)
        return UNREACHABLE
    return OK


def redis_status() -> str:
    if not settings.REDIS_URL:
        return DISABLED
    try:
        redis_client(settings.REDIS_URL).ping()
    except redis.RedisError:
        logger.warning("Health check: Redis is unreachable", exc_info=True)
        return UNREACHABLE
    return OK


def worker_status() -> str:
    """Some Celery worker answers a broadcast ping through the broker (the first reply will do).
    A broker connection that broke (Redis restarted) is an unreachable worker, never a 500:
    the next ping opens a new one."""
    try:
        replies = celery_app.control.ping(timeout=PING_TIMEOUT_SECONDS, limit=1)
    except (KombuError, redis.RedisError, OSError):
        logger.warning("Health check: the Celery broker did not answer", exc_info=True)
        return UNREACHABLE
    return OK if replies else UNREACHABLE


def register_count(name: str, count: Callable[[], int]) -> None:
    """`count` answers how many `name` there are, for /health's `counts`."""
    _COUNTS[name] = count


def row_counts() -> tuple[datetime, dict[str, int]]:
    """The counts, and when they were taken."""
    return timezone.now(), {name: count() for name, count in _COUNTS.items()}


@dataclass(frozen=True)
class Checks:
    database: str
    redis: str
    worker: str


@dataclass(frozen=True)
class Health:
    status: str
    checks: Checks
    version: str
    counts: dict[str, int] | None
    counts_as_of: datetime | None

    @property
    def serving(self) -> bool:
        """The service can serve at all: the database answers."""
        return self.checks.database == OK

    @property
    def database(self) -> str:
        # Top level as well: the original contract's probe reads {status, database}.
        return self.checks.database


def health() -> Health:
    database = database_status()
    redis_state = redis_status()
    if redis_state == OK:
        worker = remembered("worker", worker_status)
    else:
        # Without REDIS_URL tasks run in-process; with Redis down a ping would only wait.
        worker = DISABLED if redis_state == DISABLED else UNREACHABLE
    if database != OK:
        status = "unavailable"
    elif UNREACHABLE in (redis_state, worker):
        status = "degraded"
    else:
        status = "ok"
    taken, counts = remembered("counts", row_counts) if database == OK else (None, None)
    return Health(
        status=status,
        checks=Checks(database=database, redis=redis_state, worker=worker),
        version=settings.VERSION,
        counts=counts,
        counts_as_of=taken,
    )
