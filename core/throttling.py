"""Rate limit per API key, or per client address without keys; shared by every worker process
when the counters are in Redis (REDIS_URL), per process otherwise. A request refused for its
key (401) is answered before the throttle counts it."""

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import BaseCache, caches
from redis.exceptions import RedisError
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from core.auth import client_of

if TYPE_CHECKING:  # the real import would be circular: DRF's views import these classes
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api"

    def __init__(self) -> None:
        super().__init__()
        # Looked up per request rather than at import, so tests can swap the cache; and only
        # with a rate, as allow_request needs no cache without one.
        if self.rate is not None:
            self.cache: BaseCache = caches["throttle"]

    def get_rate(self) -> str | None:
        rate: str | None = settings.API_THROTTLE_RATE
        return rate

    def get_cache_key(self, request: Request, view: "APIView") -> str:
        ident = client_of(request) or self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request: Request, view: "APIView") -> bool:
        """A Redis outage lets requests through unthrottled rather than failing them all."""
        try:
            return super().allow_request(request, view)
        except RedisError:
            logger.warning("Rate limit not applied: Redis is unreachable", exc_info=True)
            return True
