"""The request the console's views take: Django's, with django-htmx's details of an htmx
request on `request.htmx` (HtmxMiddleware sets them on every request)."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails
