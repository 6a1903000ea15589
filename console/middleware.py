"""django-htmx's request.htmx, on the console's paths only: the API never reads it."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django_htmx.middleware import HtmxDetails

CONSOLE_PATH = "/console/"


class ConsoleHtmxMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info.startswith(CONSOLE_PATH):
            request.htmx = HtmxDetails(request)  # type: ignore[attr-defined]
        return self.get_response(request)
