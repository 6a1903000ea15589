"""The one Redis client a process keeps for health pings and shared counters (Celery and the
throttle cache have their own), with timeouts short enough that a Redis outage never holds a
request up for long."""

from functools import cache

import redis

TIMEOUT_SECONDS = 0.5


@cache
def client(url: str) -> "redis.Redis":
    return redis.Redis.from_url(
        url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
    )
