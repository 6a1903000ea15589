"""django-htmx's middleware (request.htmx), on the console's paths only: the API never reads it,
and its requests are spared the work."""

from collections.abc import Awaitable

from django.http import HttpRequest, HttpResponseBase
from django_htmx.middleware import HtmxMiddleware

CONSOLE_PATH = "/console/"


class ConsoleHtmxMiddleware(HtmxMiddleware):
    sync_capable, async_capable = True, False

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if request.path_info.startswith(CONSOLE_PATH):
            return super().__call__(request)
        return self.get_response(request)
