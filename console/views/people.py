"""People, for admins: who signs in to the console, with which roles; making a person with a
first password, changing roles, deactivating and reactivating, resetting a password, and the
record of every change (people.services does each, the same services as create_staff_user)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from console.forms import DeclaredForm, PasswordForm, PersonForm, RolesForm, attempt
from console.requests import HtmxHttpRequest
from console.roles import requires
from console.views.submit import SeeOther, submit_once
from core.auth import who_asked
from people.errors import LastAdmin
from people.selectors import people, recent_changes, roles_of_person
from people.services import create_person, deactivate, reactivate, reset_password, set_roles


@dataclass(frozen=True)
class PersonRow:
    person: User
    roles: list[str]
    roles_form: DeclaredForm
    password_form: DeclaredForm


def _row(person: User, bound: dict[int, DeclaredForm]) -> PersonRow:
    """The person with their two forms: the one just sent with its errors, else new ones."""
    roles = sorted(str(role) for role in roles_of_person(person))
    prefix, sent = f"person-{person.pk}", bound.get(person.pk)
    return PersonRow(
        person=person,
        roles=roles,
        roles_form=sent
        if isinstance(sent, RolesForm)
        else RolesForm(initial={"roles": roles}, prefix=prefix),
        password_form=sent if isinstance(sent, PasswordForm) else PasswordForm(prefix=prefix),
    )


def _page(
    request: HtmxHttpRequest,
    form: PersonForm | None = None,
    bound: dict[int, DeclaredForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form or PersonForm(),
        "rows": [_row(person, bound or {}) for person in people()],
        "changes": recent_changes(),
    }
    return render(request, "console/people.html", context, status=status)


@require_safe
@requires("people")
def people_page(request: HtmxHttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@requires("people")
def create(request: HtmxHttpRequest) -> HttpResponse:
    form = PersonForm(request.POST)
    if form.is_valid():
        body = form.declared

        def work() -> str:
            person = create_person(
                username=body.username,
                roles=body.roles,
                password=body.password,
                by=who_asked(request),
            )
            messages.success(request, f"{person.get_username()} can sign in now.")
            return reverse("console:people")

        submitted = submit_once(request, form, work)
        if submitted is not None:
            return submitted
    return _page(request, form=form, status=400)


def _change(
    request: HtmxHttpRequest,
    person_id: int,
    form: DeclaredForm,
    change: Callable[[Any], User],
    done: str,
) -> HttpResponse:
    """Validate the person's form, make the change, or show the page with the form's errors
    beside its fields."""
    changed = attempt(form, lambda: change(form.declared)) if form.is_valid() else None
    if changed is None:
        return _page(request, bound={person_id: form}, status=400)
    if changed.pk == request.user.pk:
        # An admin who sets their own password stays signed in here; other sessions end.
        update_session_auth_hash(request, changed)
    messages.success(request, f"{changed.get_username()}: {done}.")
    return SeeOther(reverse("console:people") + f"#person-{person_id}")


@require_POST
@requires("people")
def change_roles(request: HtmxHttpRequest, person_id: int) -> HttpResponse:
    form = RolesForm(request.POST, prefix=f"person-{person_id}")
    by = who_asked(request)
    return _change(
        request,
        person_id,
        form,
        lambda body: set_roles(person_id, roles=body.roles, by=by),
        "roles saved",
    )


@require_POST
@requires("people")
def change_password(request: HtmxHttpRequest, person_id: int) -> HttpResponse:
    form = PasswordForm(request.POST, prefix=f"person-{person_id}")
    by = who_asked(request)
    return _change(
        request,
        person_id,
        form,
        lambda body: reset_password(person_id, password=body.password, by=by),
        "the new password is set",
    )


def _switch(
    request: HtmxHttpRequest, person_id: int, action: Callable[..., User], done: str
) -> HttpResponse:
    """Deactivate or reactivate: the refusal of the last admin's is a message on the page."""
    try:
        person = action(person_id, by=who_asked(request))
    except LastAdmin as refused:
        messages.error(request, refused.message)
        return _page(request, status=refused.status_code)
    messages.success(request, f"{person.get_username()} {done}.")
    return SeeOther(reverse("console:people") + f"#person-{person_id}")


@require_POST
@requires("people")
def deactivate_person(request: HtmxHttpRequest, person_id: int) -> HttpResponse:
    return _switch(request, person_id, deactivate, "can no longer sign in")


@require_POST
@requires("people")
def reactivate_person(request: HtmxHttpRequest, person_id: int) -> HttpResponse:
    return _switch(request, person_id, reactivate, "can sign in again")
