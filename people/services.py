"""Changes to the people who sign in to the console, each recorded (PersonChange): create one
with roles and a first password, change their roles, deactivate, reactivate, reset a password.
The console's People page and `manage.py create_staff_user` both call these.

One rule guards them all: the last active admin is never deactivated or demoted, so somebody
can always manage people. Every change that could remove an admin first locks every admin's
row, so two admins removing each other at the same moment are taken one after the other and
the second is refused."""

from collections.abc import Iterable

from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.auth import Role
from people.errors import LastAdmin, UsernameTaken, WeakPassword
from people.models import PersonAction, PersonChange
from people.selectors import admins, get_person, roles_of_person


def _checked_password(password: str, person: User) -> str:
    try:
        validate_password(password, person)
    except ValidationError as weak:
        raise WeakPassword(list(weak.messages)) from weak
    return password


def _record(person: User, action: PersonAction, by: str, detail: str = "") -> None:
    PersonChange.objects.create(person=person, action=action, changed_by=by, detail=detail)


def _named(roles: Iterable[Role]) -> str:
    return ", ".join(sorted(str(role) for role in roles)) or "none"


def _group(role: Role) -> Group:
    """The role's group, made again if someone deleted it."""
    return Group.objects.get_or_create(name=str(role))[0]


def grant(person: User, role: Role) -> None:
    """Add `role` to the person's, unrecorded: for the demo's and the tests' made-up people."""
    person.groups.add(_group(role))


def _grant(person: User, roles: Iterable[Role]) -> None:
    """The person's role groups are exactly `roles`; groups that name no role stay."""
    kept = person.groups.exclude(name__in=[str(role) for role in Role])
    person.groups.set([*kept, *(_group(role) for role in roles)])


def _keep_an_admin(person_id: int) -> User:
    """The person, read again under the lock of every admin's row; LastAdmin when they are
    the only active admin left (so the change about to be made would leave none)."""
    list(admins().select_for_update().order_by("pk"))
    person = get_person(person_id)
    if person.is_active and Role.ADMIN in roles_of_person(person):
        others = admins().filter(is_active=True).exclude(pk=person.pk)
        if not others.exists():
            raise LastAdmin(person.get_username())
    return person


@transaction.atomic
def create_person(*, username: str, roles: Iterable[Role], password: str, by: str) -> User:
    roles = tuple(roles)  # read twice: granted, then recorded
    if User.objects.filter(username=username).exists():
        raise UsernameTaken(username)
    person = User(username=username)
    person.set_password(_checked_password(password, person))
    try:
        with transaction.atomic():  # two admins adding one name at once: the second is told
            person.save()
    except IntegrityError as taken:
        raise UsernameTaken(username) from taken
    _grant(person, roles)
    _record(person, PersonAction.CREATED, by, f"roles: {_named(roles)}")
    return person


@transaction.atomic
def set_roles(person_id: int, *, roles: Iterable[Role], by: str) -> User:
    roles = frozenset(roles)
    person = get_person(person_id)
    if Role.ADMIN not in roles and not person.is_superuser:  # a superuser stays an admin
        person = _keep_an_admin(person_id)
    before = roles_of_person(person)
    _grant(person, roles)
    after = roles_of_person(get_person(person_id))
    if after != before:
        _record(person, PersonAction.ROLES_CHANGED, by, f"{_named(before)} → {_named(after)}")
    return person


@transaction.atomic
def deactivate(person_id: int, *, by: str) -> User:
    """They can no longer sign in, and their open sessions end (Django refuses an inactive
    person's session on the next request)."""
    person = _keep_an_admin(person_id)
    if person.is_active:
        person.is_active = False
        person.save(update_fields=["is_active"])
        _record(person, PersonAction.DEACTIVATED, by)
    return person


@transaction.atomic
def reactivate(person_id: int, *, by: str) -> User:
    person = get_person(person_id)
    if not person.is_active:
        person.is_active = True
        person.save(update_fields=["is_active"])
        _record(person, PersonAction.REACTIVATED, by)
    return person


@transaction.atomic
def reset_password(person_id: int, *, password: str, by: str) -> User:
    """A new password the admin hands over; the person's other sessions end with the old one."""
    person = get_person(person_id)
    person.set_password(_checked_password(password, person))
    person.save(update_fields=["password"])
    _record(person, PersonAction.PASSWORD_RESET, by)
    return person


@transaction.atomic
def enrol(*, username: str, role: Role, password: str, by: str) -> tuple[User, bool]:
    """`create_staff_user`: a new person with `role`, or an existing one given `role` beside
    theirs, the password and an active account. Whether the person is new, with them."""
    found = User.objects.filter(username=username).first()
    if found is None:
        return create_person(username=username, roles=[role], password=password, by=by), True
    set_roles(found.pk, roles=roles_of_person(found) | {role}, by=by)
    reset_password(found.pk, password=password, by=by)
    return reactivate(found.pk, by=by), False
