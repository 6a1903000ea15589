"""API keys: with settings.API_KEYS set, a request needs an X-API-Key header holding one of them.

The key itself never leaves this module: callers (throttling, logs) see only its fingerprint.
"""

import hashlib
import hmac
import logging
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

if TYPE_CHECKING:  # the real import would be circular: DRF's views import these classes
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)

API_KEY_HEADER = "X-API-Key"
# How the header appears in request.META, read directly: request.headers copies every header.
API_KEY_META = "HTTP_X_API_KEY"
WWW_AUTHENTICATE = f'ApiKey header="{API_KEY_HEADER}"'


def fingerprint(key: str) -> str:
    """A short stable id for a key, safe to put in logs and cache keys."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def client_for_key(presented: str) -> str | None:
    """The fingerprint of the configured key `presented` equals, or None.

    Digests of equal length are compared with compare_digest, against every key without
    stopping early, so the time taken says nothing about how much of a key matched.
    """
    digest = hashlib.sha256(presented.encode()).digest()
    match = None
    for key_digest, key_fingerprint in _configured_keys(tuple(settings.API_KEYS)):
        if hmac.compare_digest(digest, key_digest):
            match = key_fingerprint
    return match


@cache
def _configured_keys(keys: tuple[str, ...]) -> list[tuple[bytes, str]]:
    """Each configured key's digest and fingerprint, computed once per key set."""
    return [(hashlib.sha256(key.encode()).digest(), fingerprint(key)) for key in keys]


def keys_required() -> bool:
    return bool(settings.API_KEYS)


def warn_if_open() -> None:
    """Called when a server starts (config/wsgi.py), so `make run` says the API is open."""
    if not keys_required():
        logger.warning("API_KEYS is not set: the API is open to anyone who can reach it.")


def request_client(request: HttpRequest) -> str | None:
    """The client fingerprint when keys are required and the request holds a right one."""
    presented = request.META.get(API_KEY_META)
    return client_for_key(presented) if presented else None


def client_address(request: HttpRequest) -> str:
    """The client's address: the TCP peer, or X-Forwarded-For's entry NUM_PROXIES from the
    right (DRF's rule, which the throttle applies too)."""
    return BaseThrottle().get_ident(request)  # type: ignore[arg-type]


def client_of(request: Request) -> str | None:
    """The fingerprint of the key a DRF request authenticated with (ApiKeyAuthentication puts
    it in request.auth), or None when the API is open."""
    return request.auth if isinstance(request.auth, str) else None


@dataclass(frozen=True)
class ApiClient:
    """The DRF `request.user` of a request that presented a right key."""

    fingerprint: str
    is_authenticated: bool = True
    is_anonymous: bool = False


class ApiKeyAuthentication(BaseAuthentication):
    """No header: anonymous (HasApiKey then answers 401). Wrong key: 401 straight away."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        if not keys_required() or API_KEY_META not in request.META:
            return None
        client = request_client(request)
        if client is None:
            raise AuthenticationFailed("The API key is not valid.")
        return ApiClient(client), client

    def authenticate_header(self, request: Request) -> str:
        # Without a WWW-Authenticate value DRF would turn the 401 into a 403.
        return WWW_AUTHENTICATE


class HasApiKey(BasePermission):
    """Refused without a key: DRF answers 401, as an authenticator is configured."""

    def has_permission(self, request: Request, view: "APIView") -> bool:
        return not keys_required() or request.auth is not None
