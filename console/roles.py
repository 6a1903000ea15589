"""Who may open which page. A person's roles are their Django groups named after core.auth.Role
(a superuser is an admin); each area of the console is open to the roles each app declares in
its permissions module, which its API endpoints read too, so a page and its endpoint never
disagree about who may use them."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from approvals.permissions import APPROVALS
from console.views.errors import forbidden, not_found
from core.auth import Role, role_allows
from core.errors import NotFoundError
from customers.permissions import CUSTOMERS
from decisions.permissions import AUDIT, REPLAY
from ingestion.permissions import INGESTION
from loans.permissions import REVERSALS
from people.permissions import PEOPLE
from people.selectors import roles_from
from policies.permissions import POLICIES

EVERY_ROLE = tuple(Role)
AREAS: dict[str, tuple[Role, ...]] = {
    "dashboard": EVERY_ROLE,
    # Customers, applications, loans and payments.
    "customers": CUSTOMERS,
    "reversals": REVERSALS,
    "decisions": AUDIT,
    "replay": REPLAY,
    "ingestion": INGESTION,
    # Policy versions and their simulations.
    "policies": POLICIES,
    # Four eyes: the queue of approval requests (deciding one is up to its kind's role).
    "approvals": APPROVALS,
    # Who signs in to the console, with which roles.
    "people": PEOPLE,
}


def roles_of(user: Any) -> frozenset[Role]:
    """The roles of a signed-in, active person; read once per request."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached: frozenset[Role] | None = getattr(user, "_console_roles", None)
    if cached is None:
        names = () if user.is_superuser else user.groups.values_list("name", flat=True)
        cached = roles_from(user.is_superuser, names)
        user._console_roles = cached
    return cached


def may(user: Any, area: str) -> bool:
    return role_allows(roles_of(user), AREAS[area])


def areas_open_to(user: Any) -> dict[str, bool]:
    """For templates: which areas' pages and links this person gets."""
    return {area: may(user, area) for area in AREAS}


View = Callable[..., HttpResponseBase]


def requires(area: str) -> Callable[[View], View]:
    """The view answers people whose roles open `area`: others get the 403 page, and a
    visitor who has not signed in is sent to the sign-in page. What the view asks for and
    is not there (a customer, a loan, a version) is the 404 page."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not may(request.user, area):
                return forbidden(request)
            try:
                return view(request, *args, **kwargs)
            except NotFoundError as missing:
                return not_found(request, missing.message)

        return wrapper

    return decorate
