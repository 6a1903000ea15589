"""What every console page's layout needs: the areas this person may open (the navigation and
the links inside pages follow it) and their roles."""

from typing import Any

from django.http import HttpRequest

from approvals.selectors import pending_count
from console.middleware import CONSOLE_PATH
from console.roles import areas_open_to, roles_of
from core.remember import remembered

# The navigation's count of pending approvals may lag this long behind the queue: a page pays
# no query for it while it is remembered.
PENDING_COUNT_SECONDS = 5


def console(request: HttpRequest) -> dict[str, Any]:
    if not request.path_info.startswith(CONSOLE_PATH) or not hasattr(request, "user"):
        return {}
    first = request.path_info[len(CONSOLE_PATH) :].split("/", 1)[0]
    can = areas_open_to(request.user)
    return {
        "can": can,
        "pending_approvals": remembered("approvals:pending", pending_count, PENDING_COUNT_SECONDS)
        if can["approvals"]
        else 0,
        "my_roles": sorted(str(role) for role in roles_of(request.user)),
        "section": first,  # a loan's pages are under Loans
    }
