"""Prometheus metrics: HTTP requests, credit decisions and ingested rows.

Under gunicorn, PROMETHEUS_MULTIPROC_DIR makes prometheus_client keep the numbers in files every
worker process writes, so one scrape sees all workers. Ingestion runs in the Celery worker, which
may live in another container, so ingested rows are counted in Redis when there is one; without
it, in the process that ran the ingestion (each gunicorn worker reports its own count).
"""

import logging
import os
import threading
from collections import Counter as Tally
from collections.abc import Iterator

import redis
from django.conf import settings
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from core.redis import client as redis_client

logger = logging.getLogger(__name__)

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

HTTP_REQUESTS = Counter(
    "credit_http_requests",
    "HTTP requests answered, by endpoint (URL pattern), method and status code.",
    ["endpoint", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "credit_http_request_duration_seconds",
    "Time to answer an HTTP request, by endpoint (URL pattern) and method.",
    ["endpoint", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
DECISIONS = Counter(
    "credit_decisions", "Credit decisions made, by outcome (approved, rejected).", ["outcome"]
)
DECISION_REASONS = Counter(
    "credit_decision_reasons",
    "Reasons given for rejected credit decisions, by reason code.",
    ["reason"],
)

INGESTED_ROWS_KEY = "credit:metrics:ingested_rows"
_local_ingested_rows: Tally[tuple[str, str]] = Tally()
_local_lock = threading.Lock()


def record_request(endpoint: str, method: str, status: int, seconds: float) -> None:
    method = method if method in KNOWN_METHODS else "OTHER"
    HTTP_REQUESTS.labels(endpoint, method, str(status)).inc()
    HTTP_LATENCY.labels(endpoint, method).observe(seconds)


def record_decision(outcome: str, reason_codes: list[str]) -> None:
    DECISIONS.labels(outcome).inc()
    for reason in reason_codes:
        DECISION_REASONS.labels(reason).inc()


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


REGISTRY.register(IngestedRowsCollector())


def exposition() -> bytes:
    """Every metric in the text format, summed over all worker processes when there are several."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    registry.register(IngestedRowsCollector())
    return generate_latest(registry)
