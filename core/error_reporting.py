"""Error reporting: with SENTRY_DSN set, unhandled errors (Django, and the error log records the
API's 500s write) and failed Celery tasks go to Sentry; without it nothing is started.

Nothing that names a borrower or opens the API leaves the process: no default PII (headers,
cookies, addresses, users: send_default_pii left unset, which is False and, unlike setting it,
raises no deprecation warning in sentry-sdk 2.75), no local variables of the stack frames, our
field names on the scrubber's denylist at any depth, and a last look before sending
(`scrubbed`) that masks phone numbers and the configured API keys in messages, and drops what
the scrubber cannot read by name: a body that is not a JSON object, a task's arguments.
"""

import re
from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any

import sentry_sdk
from django.conf import settings
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber
from sentry_sdk.transport import Transport

FILTERED = "[Filtered]"
# Request fields, model fields and headers (as Django's META and as sent) that hold a person's
# name, phone number or money, or a key.
SCRUBBED_FIELDS = (
    "first_name",
    "last_name",
    "name",
    "phone_number",
    "monthly_salary",
    "monthly_income",
    "approved_limit",
    "api_key",
    "api_keys",
    "x-api-key",
    "http_x_api_key",
)
# Ten digits standing alone: a phone number (customers/limits.py), wherever it appears in text.
PHONE_NUMBER = re.compile(r"(?<!\d)\d{10}(?!\d)")


def report_errors_if_configured(transport: Transport | None = None) -> bool:
    """Start Sentry when SENTRY_DSN is set (AppConfig.ready: web, worker and commands alike).
    `transport` replaces the HTTP one (the tests capture envelopes in the process)."""
    if not settings.SENTRY_DSN:
        return False
    sentry_sdk.init(
        dsn=settings.SENTRY_DSN,
        environment=settings.SENTRY_ENVIRONMENT,
        release=settings.VERSION,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        include_local_variables=False,
        event_scrubber=EventScrubber(
            denylist=[*DEFAULT_DENYLIST, *SCRUBBED_FIELDS], recursive=True
        ),
        before_send=partial(scrubbed, secrets=tuple(settings.API_KEYS)),
        transport=transport,
    )
    return True


def scrubbed(event: Any, hint: Any, *, secrets: Iterable[str]) -> Any:
    """The event as it may leave: text masked, unreadable bodies and task arguments dropped."""
    mask = partial(_masked, secrets=tuple(secrets))
    for holder, key in _texts(event):
        holder[key] = mask(holder[key])
    request = event.get("request", {})
    if "data" in request and not isinstance(request["data"], dict):
        request["data"] = FILTERED
    job = event.get("extra", {}).get("celery-job", {})
    for arguments in ("args", "kwargs"):
        if arguments in job:
            job[arguments] = FILTERED
    return event


def _masked(text: str, *, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        text = text.replace(secret, FILTERED)
    return PHONE_NUMBER.sub(FILTERED, text)


def _texts(event: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
    """(holder, key) of every free text in an event: its message, each exception's value and
    each breadcrumb's message."""
    entries: list[tuple[dict[str, Any], str]] = [(event, "message")]
    logentry = event.get("logentry") or {}
    entries += [(logentry, "message"), (logentry, "formatted")]
    entries += [(value, "value") for value in event.get("exception", {}).get("values", [])]
    crumbs = event.get("breadcrumbs", {})
    entries += [(crumb, "message") for crumb in crumbs.get("values", [])]
    return ((holder, key) for holder, key in entries if isinstance(holder.get(key), str))
