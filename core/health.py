"""What /health reports. The database is asked on every call; the slower or costlier answers
(the worker's ping, row counts) are kept per process for HEALTH_CACHE_SECONDS (the `local`
cache), so a probe every second stays cheap. What is counted, and how the worker is pinged, is
registered by those who know: the apps their counts, config/celery.py the worker's ping. The
counts say when they were taken (counts_as_of)."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from kombu.exceptions import KombuError

from core.redis import client as redis_client
from core.remember import remembered

logger = logging.getLogger(__name__)

OK, UNREACHABLE, DISABLED = "ok", "unreachable", "disabled"

# What /health counts, by name: each app registers its own in AppConfig.ready.
_COUNTS: dict[str, Callable[[], int]] = {}
# Whether some worker answers through the broker: registered by the Celery app.
_WORKER_PING: list[Callable[[], bool]] = []


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


def register_worker_ping(ping: Callable[[], bool]) -> None:
    """`ping()` says whether some worker answers through the broker."""
    _WORKER_PING[:] = [ping]


def worker_status() -> str:
    """The registered ping's answer. A broker connection that broke (Redis restarted) is an
    unreachable worker, never a 500: the next ping opens a new one."""
    if not _WORKER_PING:
        return DISABLED
    try:
        answered = _WORKER_PING[0]()
    except (KombuError, redis.RedisError, OSError):
        logger.warning("Health check: the Celery broker did not answer", exc_info=True)
        return UNREACHABLE
    return OK if answered else UNREACHABLE


def register_count(name: str, count: Callable[[], int]) -> None:
    """`count` answers how many `name` there are, for /health's `counts`."""
    _COUNTS[name] = count


def row_counts() -> tuple[datetime, dict[str, int]]:
    """The counts, and when they were taken."""
    return timezone.now(), {name: count() for name, count in _COUNTS.items()}


def _counts() -> tuple[datetime, dict[str, int]]:
    return remembered("health:counts", row_counts, settings.HEALTH_CACHE_SECONDS)


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
        worker = remembered("health:worker", worker_status, settings.HEALTH_CACHE_SECONDS)
    else:
        # Without REDIS_URL tasks run in-process; with Redis down a ping would only wait.
        worker = DISABLED if redis_state == DISABLED else UNREACHABLE
    if database != OK:
        status = "unavailable"
    elif UNREACHABLE in (redis_state, worker):
        status = "degraded"
    else:
        status = "ok"
    taken, counts = _counts() if database == OK else (None, None)
    return Health(
        status=status,
        checks=Checks(database=database, redis=redis_state, worker=worker),
        version=settings.VERSION,
        counts=counts,
        counts_as_of=taken,
    )
