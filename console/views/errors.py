"""The console's own error pages: styled, in the layout, never the API's JSON envelope."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "console/errors/forbidden.html", status=403)


def not_found(request: HttpRequest, message: str = "") -> HttpResponse:
    return render(request, "console/errors/not_found.html", {"message": message}, status=404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its token, or after the session it belonged to ended."""
    return render(request, "console/errors/form_expired.html", status=403)


def unknown_page(request: HttpRequest, rest: str = "") -> HttpResponse:
    return not_found(request, f"There is no page at {request.path}.")
