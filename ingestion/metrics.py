"""Ingested rows for /metrics. The Celery worker that ingests may live in another container
than the web process that is scraped, so the rows are counted in Redis when there is one;
without it, in the process that ran the ingestion (each gunicorn worker reports its own)."""

import logging
import threading
from collections import Counter as Tally
from collections.abc import Iterator

import redis
from django.conf import settings
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from core.redis import client as redis_client

logger = logging.getLogger(__name__)

INGESTED_ROWS_KEY = "credit:metrics:ingested_rows"
_local_ingested_rows: Tally[tuple[str, str]] = Tally()
_local_lock = threading.Lock()


def record_ingested_rows(kind: str, result: str, count: int) -> None:
    """Count `count` rows of `kind` (customers, loans) that ended as `result`; never raises."""
    if not settings.REDIS_URL:
        with _local_lock:
            _local_ingested_rows[kind, result] += count
        return
    try:
        redis_client(settings.REDIS_URL).hincrby(INGESTED_ROWS_KEY, f"{kind}:{result}", count)
    except redis.RedisError:
        logger.warning("Ingested rows not counted: Redis is unreachable", exc_info=True)


def _ingested_rows() -> dict[tuple[str, str], int]:
    if not settings.REDIS_URL:
        with _local_lock:
            return dict(_local_ingested_rows)
    try:
        raw = redis_client(settings.REDIS_URL).hgetall(INGESTED_ROWS_KEY)
    except redis.RedisError:
        logger.warning("Ingested rows not reported: Redis is unreachable", exc_info=True)
        return {}
    rows: dict[tuple[str, str], int] = {}
    for field, value in raw.items():
        name = field.decode() if isinstance(field, bytes) else str(field)
        kind, _, result = name.partition(":")
        rows[kind, result] = int(value)
    return rows


class IngestedRowsCollector(Collector):
    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "credit_ingested_rows",
            "Rows read by ingestion, by file kind and result.",
            labels=["kind", "result"],
        )
        for (kind, result), count in sorted(_ingested_rows().items()):
            family.add_metric([kind, result], count)
        yield family


INGESTED_ROWS = IngestedRowsCollector()
