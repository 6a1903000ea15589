"""People's services: each change made and recorded, Django's password validators, and the
rule that the last active admin is never deactivated or demoted."""

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, transaction
from django.db.models import ProtectedError

from core.auth import Role
from people.errors import LastAdmin, PersonNotFound, UsernameTaken, WeakPassword
from people.models import PersonChange
from people.selectors import roles_of_person
from people.services import (
    create_person,
    deactivate,
    enrol,
    grant,
    reactivate,
    reset_password,
    set_roles,
)

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-password-42"


def record() -> list[tuple[str, str, str, str]]:
    """The record, oldest first: (person, action, detail, by)."""
    rows = PersonChange.objects.order_by("id").select_related("person")
    return [(row.person.username, row.action, row.detail, row.changed_by) for row in rows]


@pytest.fixture
def root() -> User:
    return create_person(username="root", roles=[Role.ADMIN], password=PASSWORD, by="setup")


def test_a_person_is_made_with_roles_and_a_first_password_and_recorded(root):
    made = create_person(
        username="olga", roles=[Role.OFFICER, Role.RISK], password=PASSWORD, by="root"
    )
    olga = User.objects.get(pk=made.pk)
    assert (olga.is_active, olga.check_password(PASSWORD)) == (True, True)
    assert roles_of_person(olga) == {Role.OFFICER, Role.RISK}
    assert record()[1:] == [("olga", "created", "roles: officer, risk", "root")]


def test_a_weak_password_or_a_taken_name_is_refused_beside_its_field(root):
    with pytest.raises(WeakPassword) as weak:
        create_person(username="olga", roles=[Role.OFFICER], password="12345678", by="root")
    assert weak.value.fields == {
        "password": [
            "This password is too short. It must contain at least 12 characters.",
            "This password is too common.",
            "This password is entirely numeric.",
        ]
    }
    with pytest.raises(UsernameTaken) as taken:
        create_person(username="root", roles=[Role.OFFICER], password=PASSWORD, by="root")
    assert taken.value.fields == {
        "username": ["root is taken: change that person's roles below instead."]
    }
    assert list(User.objects.values_list("username", flat=True)) == ["root"]


def test_roles_change_deactivate_reactivate_and_reset_are_each_recorded(root):
    olga = create_person(username="olga", roles=[Role.OFFICER], password=PASSWORD, by="root")
    set_roles(olga.pk, roles=[Role.APPROVER, Role.OFFICER], by="root")
    set_roles(olga.pk, roles=[Role.APPROVER, Role.OFFICER], by="root")  # nothing changes
    deactivate(olga.pk, by="root")
    assert User.objects.get(pk=olga.pk).is_active is False
    reactivate(olga.pk, by="root")
    reset_password(olga.pk, password="another-long-password-7", by="root")
    olga = User.objects.get(pk=olga.pk)
    assert (olga.is_active, olga.check_password("another-long-password-7")) == (True, True)
    assert record()[2:] == [
        ("olga", "roles_changed", "officer → approver, officer", "root"),
        ("olga", "deactivated", "", "root"),
        ("olga", "reactivated", "", "root"),
        ("olga", "password_reset", "", "root"),
    ]


def test_roles_change_keeps_groups_that_name_no_role(root):
    olga = create_person(username="olga", roles=[Role.OFFICER], password=PASSWORD, by="root")
    olga.groups.create(name="newsletter")
    set_roles(olga.pk, roles=[Role.RISK], by="root")
    assert sorted(olga.groups.values_list("name", flat=True)) == ["newsletter", "risk"]


def test_the_last_active_admin_is_never_deactivated_nor_demoted(root):
    with pytest.raises(LastAdmin) as refused:
        deactivate(root.pk, by="root")
    assert refused.value.message == (
        "root is the last active admin: make someone else an admin first, so that somebody "
        "can still manage people."
    )
    with pytest.raises(LastAdmin):
        set_roles(root.pk, roles=[Role.OFFICER], by="root")
    assert User.objects.get(pk=root.pk).is_active is True
    assert roles_of_person(root) == {Role.ADMIN}
    assert len(record()) == 1


def test_with_a_second_admin_one_of_them_may_go(root):
    anna = create_person(username="anna", roles=[Role.ADMIN], password=PASSWORD, by="root")
    set_roles(root.pk, roles=[Role.RISK], by="anna")
    with pytest.raises(LastAdmin):
        deactivate(anna.pk, by="anna")
    reactivate(root.pk, by="anna")  # active already: nothing to record


def test_an_inactive_admin_does_not_count_and_a_superuser_does(root):
    anna = create_person(username="anna", roles=[Role.ADMIN], password=PASSWORD, by="root")
    deactivate(anna.pk, by="root")
    with pytest.raises(LastAdmin):
        deactivate(root.pk, by="root")
    boss = User.objects.create_superuser("boss", password=PASSWORD)
    set_roles(boss.pk, roles=[Role.OFFICER], by="root")  # a superuser stays an admin
    deactivate(root.pk, by="boss")
    assert list(User.objects.filter(is_active=True).values_list("username", flat=True)) == ["boss"]


def test_a_missing_person_is_not_found(root):
    with pytest.raises(PersonNotFound) as missing:
        deactivate(999, by="root")
    assert missing.value.message == "No person 999."


def test_enrol_makes_a_person_or_adds_a_role_sets_the_password_and_reactivates(root):
    olga, created = enrol(username="olga", role=Role.OFFICER, password=PASSWORD, by="cmd")
    deactivate(olga.pk, by="root")
    again, created_again = enrol(
        username="olga", role=Role.RISK, password="another-long-password-7", by="cmd"
    )
    again = User.objects.get(pk=olga.pk)
    assert (created, created_again) == (True, False)
    assert (again.is_active, again.check_password("another-long-password-7")) == (True, True)
    assert roles_of_person(again) == {Role.OFFICER, Role.RISK}
    assert record()[1:] == [
        ("olga", "created", "roles: officer", "cmd"),
        ("olga", "deactivated", "", "root"),
        ("olga", "roles_changed", "officer → officer, risk", "cmd"),
        ("olga", "password_reset", "", "cmd"),
        ("olga", "reactivated", "", "cmd"),
    ]


def test_grant_adds_a_role_unrecorded():
    person = User.objects.create_user("demo", password=PASSWORD)
    grant(person, Role.OPERATIONS)
    assert roles_of_person(person) == {Role.OPERATIONS}
    assert record() == []


def test_the_database_refuses_to_rewrite_the_record(root):
    """Whatever code tries it: the record of who changed whom stays as it was written."""
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        PersonChange.objects.update(changed_by="someone else")
    written = PersonChange.objects.get()
    written.detail = "roles: officer"
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        written.save()
    assert record() == [("root", "created", "roles: admin", "setup")]


@pytest.mark.postgres
def test_the_database_refuses_to_delete_the_record(root):
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        PersonChange.objects.all().delete()
    assert record() == [("root", "created", "roles: admin", "setup")]


def test_a_person_with_a_record_is_never_deleted_so_the_record_keeps_its_subject(root):
    with pytest.raises(ProtectedError):
        User.objects.get(username="root").delete()
    assert record() == [("root", "created", "roles: admin", "setup")]
