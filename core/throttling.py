"""Rate limit per API key, or per client address without keys, in a moving window (the `limits`
library's moving-window strategy): each request is counted and checked in one atomic step, a
Lua script in Redis (REDIS_URL, shared by every worker process and host) or under a lock in this
process's memory without Redis. So concurrent requests cannot slip past the limit together. A
request refused for its key (401) is answered before the throttle counts it."""

import logging
import time
from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings
from limits import (
    RateLimitItem,
    RateLimitItemPerDay,
    RateLimitItemPerHour,
    RateLimitItemPerMinute,
    RateLimitItemPerSecond,
)
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from core.auth import client_of
from core.redis import TIMEOUT_SECONDS

if TYPE_CHECKING:  # the real import would be circular: DRF's views import these classes
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)

NAMESPACE = "credit-api"
_PERIODS: dict[str, type[RateLimitItem]] = {
    "s": RateLimitItemPerSecond,
    "m": RateLimitItemPerMinute,
    "h": RateLimitItemPerHour,
    "d": RateLimitItemPerDay,
}


@cache
def rate_item(rate: str) -> RateLimitItem:
    """DRF's syntax ("600/min", checked at start-up) as a limits item."""
    count, period = rate.split("/")
    return _PERIODS[period[0]](int(count), namespace=NAMESPACE)


@cache
def limiter(redis_url: str) -> MovingWindowRateLimiter:
    storage: Storage = (
        RedisStorage(
            redis_url,
            socket_timeout=TIMEOUT_SECONDS,
            socket_connect_timeout=TIMEOUT_SECONDS,
            wrap_exceptions=False,
        )
        if redis_url
        else MemoryStorage()
    )
    return MovingWindowRateLimiter(storage)


class ApiKeyRateThrottle(BaseThrottle):
    def __init__(self) -> None:
        self.seconds_to_wait = 0.0

    def allow_request(self, request: Request, view: "APIView") -> bool:
        """A Redis outage lets requests through unthrottled rather than failing them all."""
        rate: str | None = settings.API_THROTTLE_RATE
        if rate is None:
            return True
        item = rate_item(rate)
        ident = client_of(request) or self.get_ident(request)
        counter = limiter(settings.REDIS_URL)
        try:
            if counter.hit(item, ident):
                return True
            reset_at = counter.get_window_stats(item, ident).reset_time
        except RedisError:
            logger.warning("Rate limit not applied: Redis is unreachable", exc_info=True)
            return True
        self.seconds_to_wait = max(0.0, reset_at - time.time())
        return False

    def wait(self) -> float:
        return self.seconds_to_wait
