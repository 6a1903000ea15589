"""Start-up refusal for the production profile: an unsafe setup stops the process at import,
so `manage.py`, gunicorn and celery all exit non-zero with a message naming the variable."""

import re

from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

# The secret key must pass Django's own deploy check (security.W009), whose limits these are.
MIN_API_KEY_LENGTH = 16
KNOWN_INSECURE_SECRET_KEYS = frozenset(
    {
        "local-development-only-not-secret",  # config/settings/local.py
        "change-me",
        "changeme",
        "secret",
        "your-secret-key",
    }
)


def secret_key_problem(secret_key: str) -> str | None:
    if not secret_key:
        return "SECRET_KEY is not set"
    if secret_key in KNOWN_INSECURE_SECRET_KEYS or secret_key.startswith(
        SECRET_KEY_INSECURE_PREFIX
    ):
        return "SECRET_KEY is a known insecure value"
    if (
        len(secret_key) < SECRET_KEY_MIN_LENGTH
        or len(set(secret_key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
    ):
        return (
            f"SECRET_KEY is too weak (at least {SECRET_KEY_MIN_LENGTH} characters, "
            f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS} of them different)"
        )
    return None


def refuse_debug(*, debug: bool, allowed: bool) -> None:
    """DEBUG shows tracebacks and settings to anyone: in production only when asked for by name."""
    if debug and not allowed:
        raise ImproperlyConfigured(
            "DEBUG is true in the production profile: set DEBUG=false, or "
            "ALLOW_DEBUG_IN_PRODUCTION=true to debug this deployment on purpose"
        )


def refuse_insecure(*, secret_key: str, allowed_hosts: list[str], api_keys: list[str]) -> None:
    """Raise ImproperlyConfigured for the first unsafe setting; the message says how to fix it."""
    problem = secret_key_problem(secret_key)
    if problem:
        raise ImproperlyConfigured(
            f"{problem}: with DEBUG=False set SECRET_KEY to a long random value, e.g. "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    if not allowed_hosts:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS is empty: with DEBUG=False list the host names clients use, "
            "comma-separated (e.g. ALLOWED_HOSTS=credit.example.com,localhost)"
        )
    if any(len(key) < MIN_API_KEY_LENGTH for key in api_keys):
        raise ImproperlyConfigured(
            f"API_KEYS holds a key shorter than {MIN_API_KEY_LENGTH} characters: use long "
            "random keys, e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )


def refuse_replica_without_redis(redis_url: str) -> None:
    """Read-your-writes needs every web process to see who wrote: a note in Redis."""
    if not redis_url:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL needs REDIS_URL: a client that has just written must read "
            "the primary, and every web process learns that from Redis"
        )


THROTTLE_RATE = re.compile(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)")


def throttle_rate(value: str) -> str | None:
    """API_THROTTLE_RATE checked at start-up: a typo would otherwise fail every request."""
    if not value:
        return None
    if not THROTTLE_RATE.fullmatch(value):
        raise ImproperlyConfigured(
            f"API_THROTTLE_RATE must be requests/period, e.g. 600/min or 10/s, not {value!r}"
        )
    return value
