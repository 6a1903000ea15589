"""The console's own error pages: styled, in the layout, never the API's JSON envelope."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse


def forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "console/errors/forbidden.html", status=403)


def not_found(request: HttpRequest, message: str = "") -> HttpResponse:
    return render(request, "console/errors/not_found.html", {"message": message}, status=404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its token, or after the session it belonged to ended."""
    return render(request, "console/errors/form_expired.html", status=403)


def unknown_page(request: HttpRequest, rest: str = "") -> HttpResponse:
    return not_found(request, f"There is no page at {request.path}.")


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """The page for an outage (settings.STAFF_OUTAGE_VIEW; core.errors answers it as a 503 with
    Retry-After): rendered without the request's context, which would read the session and the
    user from the database that is down. An htmx request reloads the page, so the person sees
    this page rather than a fragment that never arrives."""
    again = request.get_full_path() if request.method == "GET" else reverse("console:dashboard")
    page = render_to_string("console/errors/unavailable.html", {"again": again})
    response = HttpResponse(page, status=503)
    if request.headers.get("HX-Request") == "true":
        response["HX-Refresh"] = "true"
    return response
