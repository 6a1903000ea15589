"""Reads of the people who sign in to the console: who they are, their roles, the record of
changes to them, and the active admins the last-admin rule counts."""

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db.models import Prefetch, Q, QuerySet

from core.auth import Role
from people.errors import PersonNotFound
from people.models import PersonChange

ROLE_NAMES = tuple(str(role) for role in Role)
RECENT_CHANGES = 50


def roles_from(is_superuser: bool, group_names: Iterable[str]) -> frozenset[Role]:
    """A person's roles: the groups named after a role; a superuser is an admin."""
    if is_superuser:
        return frozenset({Role.ADMIN})
    return frozenset(Role(name) for name in group_names if name in ROLE_NAMES)


def roles_of_person(person: User) -> frozenset[Role]:
    """Read from the groups prefetched by `people()`, or with one query."""
    return roles_from(person.is_superuser, (group.name for group in person.groups.all()))


def people() -> QuerySet[User]:
    """Everyone who may sign in, by name, with their groups in one more query."""
    return User.objects.order_by("username").prefetch_related(Prefetch("groups"))


def get_person(person_id: int) -> User:
    found = people().filter(pk=person_id).first()
    if found is None:
        raise PersonNotFound(person_id)
    return found


def admins() -> QuerySet[User]:
    """Everyone holding the admin role, active or not."""
    holders = User.objects.filter(Q(is_superuser=True) | Q(groups__name=str(Role.ADMIN)))
    return User.objects.filter(pk__in=holders.values("pk"))


def recent_changes() -> QuerySet[PersonChange]:
    return PersonChange.objects.select_related("person")[:RECENT_CHANGES]
