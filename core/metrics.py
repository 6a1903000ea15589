"""Prometheus metrics: the HTTP requests every endpoint answers, and the place where apps add
their own.

Under gunicorn, PROMETHEUS_MULTIPROC_DIR makes prometheus_client keep the numbers in files every
worker process writes, so one scrape sees all workers. Counters an app defines with
prometheus_client (credit decisions, say) take part in that by themselves. A collector that reads
numbers kept elsewhere (ingestion counts rows in Redis, as its worker may run in another
container) is registered with `register_collector` so that the scrape includes it either way.
"""

import os

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

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

_COLLECTORS: list[Collector] = []


def register_collector(collector: Collector) -> None:
    """Add a collector of numbers kept outside this process; called from AppConfig.ready."""
    if collector not in _COLLECTORS:
        _COLLECTORS.append(collector)
        REGISTRY.register(collector)


def record_request(endpoint: str, method: str, status: int, seconds: float) -> None:
    method = method if method in KNOWN_METHODS else "OTHER"
    HTTP_REQUESTS.labels(endpoint, method, str(status)).inc()
    HTTP_LATENCY.labels(endpoint, method).observe(seconds)


def exposition() -> bytes:
    """Every metric in the text format, summed over all worker processes when there are several."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    for collector in _COLLECTORS:
        registry.register(collector)
    return generate_latest(registry)
