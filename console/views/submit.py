"""Forms whose work must happen once: a loan booked, a payment, a customer, an upload, a draft,
a simulation. The key each rendered form carries goes through the idempotency records the API's
Idempotency-Key uses (core.idempotency.once), in one transaction with the work, so a double
click or a resubmitted form does the work once and both answers lead to the same page."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_http_methods

from console.forms import DeclaredForm, Rejected, refusals_on
from core.idempotency import (
    Answer,
    IdempotencyInProgress,
    IdempotencyKeyReused,
    form_fingerprint,
    once,
    scope_of,
)

# What identifies a sending, not what was sent: left out of the fingerprint.
_NOT_CONTENT = ("csrfmiddlewaretoken", "form_key")


# A page with a form: shown (GET, HEAD), sent (POST), nothing else.
require_form = require_http_methods(["GET", "HEAD", "POST"])


class SeeOther(HttpResponseRedirect):
    status_code = 303


def submit_once(
    request: HttpRequest, form: DeclaredForm, work: Callable[[], str]
) -> HttpResponse | None:
    """Do `work` (which returns the address of the page that shows what it did) once for the
    form's key and send the browser there; None, with the reason on the form, when the work
    or the key refuses."""

    def handle() -> Answer:
        with refusals_on(form):
            return Answer(SeeOther.status_code, body=work())

    sent: list[tuple[str, list[Any]]] = [
        (name, values) for name, values in request.POST.lists() if name not in _NOT_CONTENT
    ]
    sent += request.FILES.lists()
    scope = scope_of("POST", request.path, f"console:{request.user.get_username()}")
    try:
        answer, _ = once(scope, str(form.cleaned_data["form_key"]), form_fingerprint(sent), handle)
    except Rejected:
        return None
    except IdempotencyKeyReused:
        form.add_error(None, "This form was already sent with other values: reload the page.")
        return None
    except IdempotencyInProgress:
        form.add_error(None, "This form is still being sent: wait a moment and reload the page.")
        return None
    return SeeOther(answer.body)
