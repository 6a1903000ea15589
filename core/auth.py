"""API keys and the roles they carry.

A key is either listed in settings.API_KEYS (it holds every role, as before keys were managed)
or made with `manage.py api_key create NAME --role ROLE` (stored as its SHA-256 digest: a key is
32 random bytes, so a fast hash is as safe as a slow one). With neither kind configured, the API
is open and every role with it (the embedded default). Each process remembers what it looked up
for API_KEY_CACHE_SECONDS, so a request pays no query for its key, and a revoked key stops
working on every worker within those seconds.

The key itself never leaves this module: callers (throttling, logs, the audit trail) see only
its fingerprint.
"""

import hashlib
import hmac
import ipaddress
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from core.remember import remembered

if TYPE_CHECKING:  # the real import would be circular: DRF's views import these classes
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)

API_KEY_HEADER = "X-API-Key"
# How the header appears in request.META, read directly: request.headers copies every header.
API_KEY_META = "HTTP_X_API_KEY"
WWW_AUTHENTICATE = f'ApiKey header="{API_KEY_HEADER}"'
KEY_PREFIX = "crd_"


class Role(StrEnum):
    """What a key (or, in the console, a person) may do. `admin` may do everything."""

    OFFICER = "officer"  # customers, applications, loans, payments
    RISK = "risk"  # decisions, policies, simulations
    OPERATIONS = "operations"  # ingestion
    APPROVER = "approver"  # what an officer may, and approving loans referred for approval
    ADMIN = "admin"


# Roles that carry another's rights with their own.
_INCLUDED = {Role.APPROVER: frozenset({Role.OFFICER})}


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def fingerprint(key: str) -> str:
    """A short stable id for a key, safe to put in logs and cache keys."""
    return digest(key)[:12]


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class ApiClient:
    """The DRF `request.user` of a request that presented a right key."""

    fingerprint: str
    role: Role
    name: str = ""
    is_authenticated: bool = True
    is_anonymous: bool = False

    def may(self, roles: Iterable[Role]) -> bool:
        return role_allows({self.role}, roles)


def role_allows(held: Iterable[Role], allowed: Iterable[Role]) -> bool:
    """Whether someone holding the roles `held` may do what `allowed` may: `admin` may do all."""
    held = set(held)
    for role in list(held):
        held |= _INCLUDED.get(role, frozenset())
    return Role.ADMIN in held or not held.isdisjoint(allowed)


@cache
def _configured_keys(keys: tuple[str, ...]) -> list[tuple[bytes, str]]:
    """Each configured key's digest and fingerprint, computed once per key set."""
    return [(hashlib.sha256(key.encode()).digest(), fingerprint(key)) for key in keys]


def _configured_client(presented: str) -> ApiClient | None:
    """The API_KEYS key `presented` equals, compared as digests with compare_digest against
    every key without stopping early, so the time taken says nothing about a partial match."""
    presented_digest = hashlib.sha256(presented.encode()).digest()
    match = None
    for key_digest, key_fingerprint in _configured_keys(tuple(settings.API_KEYS)):
        if hmac.compare_digest(presented_digest, key_digest):
            match = ApiClient(key_fingerprint, Role.ADMIN)
    return match


def _stored_client(presented: str) -> ApiClient | None:
    from core.models import ApiKey  # models load after this module (DRF imports it early)

    found = (
        ApiKey.objects.filter(digest=digest(presented), revoked_at__isnull=True)
        .values_list("name", "role")
        .first()
    )
    return None if found is None else ApiClient(fingerprint(presented), Role(found[1]), found[0])


def client_for_key(presented: str) -> ApiClient | None:
    """The client a presented key belongs to, or None."""
    return _configured_client(presented) or remembered(
        "api-key:" + digest(presented),
        lambda: _stored_client(presented),
        settings.API_KEY_CACHE_SECONDS,
    )


def _any_stored_key() -> bool:
    """Whether any managed key is active; with the database unreachable, assume one is (keys
    are then required: an outage never opens the API)."""
    from core.models import ApiKey

    try:
        return ApiKey.objects.filter(revoked_at__isnull=True).exists()
    except DatabaseError:
        logger.warning("API keys not read: the database is unreachable", exc_info=True)
        return True


def keys_required() -> bool:
    return settings.API_KEYS_REQUIRED or bool(settings.API_KEYS) or _any_key_stored()


def _any_key_stored() -> bool:
    return remembered("api-key:any-stored", _any_stored_key, settings.API_KEY_CACHE_SECONDS)


def warn_if_open() -> None:
    """Called when a server starts (config/wsgi.py): `make run` says the API is open, and a
    closed production with no key yet says how to make the first."""
    if not keys_required():
        logger.warning("No API keys are configured: the API is open to anyone who can reach it.")
    elif not settings.API_KEYS and not _any_key_stored():
        logger.warning(
            "No API key exists yet: every request but /health is refused until one is made "
            "with python3 manage.py api_key create NAME --role ROLE."
        )


def request_client(request: HttpRequest) -> ApiClient | None:
    """The client of a request that holds a right key."""
    presented = request.META.get(API_KEY_META)
    return client_for_key(presented) if presented else None


def client_address(request: HttpRequest) -> str:
    """The client's address: the TCP peer, or X-Forwarded-For's entry NUM_PROXIES from the
    right (DRF's rule, which the throttle applies too). An entry that is no address (a client
    writing the header where no proxy appends to it) counts as the TCP peer: the lockout keeps
    addresses, which PostgreSQL refuses to store otherwise."""
    forwarded = BaseThrottle().get_ident(request)  # type: ignore[arg-type]
    try:
        return str(ipaddress.ip_address(forwarded))
    except ValueError:
        return str(request.META.get("REMOTE_ADDR", ""))


def who_asked(request: Request | HttpRequest) -> str:
    """Who a decision, a payment or a policy change is recorded as made by: a managed key's
    name, an API_KEYS key's fingerprint, a signed-in person's username; empty when the API is
    open."""
    user = getattr(request, "user", None)
    if isinstance(user, ApiClient):
        return user.name or user.fingerprint
    if user is not None and user.is_authenticated:
        return str(user.get_username())
    return ""


def roles_of_client(request: Request) -> frozenset[Role]:
    """The roles a DRF request acts with: its key's, or every role (admin) when the API is
    open."""
    if isinstance(request.user, ApiClient):
        return frozenset({request.user.role})
    return frozenset() if keys_required() else frozenset({Role.ADMIN})


def four_eyes_apply(maker: str) -> bool:
    """Whether an action `maker` asks for waits for a second person (docs/credit-policy.md):
    FOUR_EYES is on and the maker is someone, whom a checker can be told apart from (the open
    API of `make run` has nobody)."""
    return bool(settings.FOUR_EYES and maker)


def client_of(request: Request) -> str | None:
    """The fingerprint of the key a DRF request authenticated with (ApiKeyAuthentication puts
    it in request.auth), or None when the API is open."""
    return request.auth if isinstance(request.auth, str) else None


class ApiKeyAuthentication(BaseAuthentication):
    """No header: anonymous (HasApiKey then answers 401). Wrong key: 401 straight away."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        if API_KEY_META not in request.META or not keys_required():
            return None
        client = request_client(request)
        if client is None:
            raise AuthenticationFailed("The API key is not valid.")
        return client, client.fingerprint

    def authenticate_header(self, request: Request) -> str:
        # Without a WWW-Authenticate value DRF would turn the 401 into a 403.
        return WWW_AUTHENTICATE


class HasApiKey(BasePermission):
    """Refused without a key (DRF answers 401, as an authenticator is configured), and with a
    key whose role is not among the view's `roles` (403). An open API lets everyone in."""

    message = "This API key's role may not use this endpoint."

    def has_permission(self, request: Request, view: "APIView") -> bool:
        if not keys_required():
            return True
        client = request.user
        if not isinstance(client, ApiClient):
            return False
        roles: Iterable[Role] | None = getattr(view, "roles", None)
        return roles is None or client.may(roles)
