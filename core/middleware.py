"""Per request: a request id on every log record written while serving it, one log line, and one
metrics sample; an outage answered as a 503 by every view. And the session, user, message and
sign-in lockout middleware, run for the paths people use in a browser only (the admin, the
console)."""

import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from axes.middleware import AxesMiddleware
from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponseBase
from django.utils.deprecation import MiddlewareMixin
from django.utils.functional import cached_property

from core.errors import is_outage, is_staff_path, not_found_view, outage_response
from core.logging import REQUEST_ID
from core.metrics import record_request

logger = logging.getLogger("core.request")

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_META = "HTTP_X_REQUEST_ID"
# An incoming id is kept only when it is short and plain, so it cannot forge log content.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id_for(request: HttpRequest) -> str:
    # META rather than request.headers, which would copy every header on every request.
    incoming = request.META.get(REQUEST_ID_META, "")
    return incoming if _SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex


def endpoint_label(request: HttpRequest) -> str:
    """The URL pattern, not the path, so ids in paths cannot blow up the metric's label set."""
    match = request.resolver_match
    if match is None or match.func is not_found_view:
        return "unmatched"
    return "/" + match.route.rstrip("/")


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = request_id_for(request)
        token = REQUEST_ID.set(request_id)
        try:
            return self._served(request, request_id)
        finally:
            REQUEST_ID.reset(token)

    def _served(self, request: HttpRequest, request_id: str) -> HttpResponseBase:
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        response[REQUEST_ID_HEADER] = request_id
        endpoint = endpoint_label(request)
        record_request(endpoint, request.method or "", response.status_code, seconds)
        # Path only: no query string, body or headers, so no names, phone numbers or keys.
        logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.path,
                "endpoint": endpoint,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 2),
            },
        )
        return response


class OutageMiddleware:
    """Answers an outage met by any view that is not DRF's (the console, the admin, sign-in,
    /metrics), or while rendering its page, in DEBUG too, as the API answers its own
    (core.errors.outage_response)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponseBase | None:
        return outage_response(request, exception) if is_outage(exception) else None


class StaffOnly(MiddlewareMixin):
    """Runs the middleware it is mixed into for the people's paths only. Sessions, users and
    messages exist for the admin and the console alone (the API authenticates each request by
    its key), and every API request paid for them. Subclasses keep Django's admin checks
    satisfied."""

    def __call__(self, request: HttpRequest) -> Any:
        if is_staff_path(request):
            return super().__call__(request)
        return self.get_response(request)


class StaffSessionMiddleware(StaffOnly, SessionMiddleware):
    pass


class StaffAuthenticationMiddleware(StaffOnly, AuthenticationMiddleware):
    pass


class StaffMessageMiddleware(StaffOnly, MessageMiddleware):
    pass


class StaffAxesMiddleware(AxesMiddleware):
    """django-axes answers a locked-out sign-in; sign-ins are on the people's paths only (the
    admin's and the console's), so the API's requests skip it."""

    def __call__(self, request: HttpRequest) -> Any:
        if is_staff_path(request):
            return super().__call__(request)
        return self.get_response(request)


class SitePolicyCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the site's policy built once per process: a response that
    no view adjusted (csp_update and the like) and no page asked a nonce of gets the same
    header every time, and building it for every response cost a tenth of an API request's
    CPU. Every other response, and every response under DEBUG, a report-only policy or excluded
    paths, is django-csp's to build."""

    @cached_property
    def site_policy(self) -> str:
        return build_policy()

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        unadjusted = self.get_policy_parts(request=request, response=response) == PolicyParts()
        if settings.DEBUG or not unadjusted or _csp_beyond_one_policy() or not self.site_policy:
            return super().process_response(request, response)
        if HEADER not in response and not getattr(response, "_csp_exempt", False):
            response[HEADER] = self.site_policy
        # As django-csp does: a nonce asked for after the header is written is an error.
        if getattr(request, "_csp_nonce", None) is None:
            guard = CheckableLazyObject(self._csp_nonce_post_response)
            setattr(request, "csp_nonce", guard)  # noqa: B010 (HttpRequest does not declare it)
        return response


def _csp_beyond_one_policy() -> bool:
    """Settings the fast path does not follow (a report-only policy, excluded paths): with
    either set, django-csp builds every header."""
    enforced = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
    return bool(
        getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        or enforced.get("EXCLUDE_URL_PREFIXES")
    )
