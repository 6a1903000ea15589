"""The People page, for admins only: make a person with roles and a first password (errors
beside the fields), change roles, deactivate and reactivate, reset a password; every change
on the record below; the last admin stays."""

import pytest
from django.contrib.auth.models import User

from console.tests.conftest import PASSWORD, form_key
from core.auth import Role
from people.models import PersonChange
from people.selectors import roles_of_person

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "handed-over-in-person-9"


@pytest.fixture
def root(signed_in):
    return signed_in(Role.ADMIN, name="root")


def person(name: str) -> User:
    return User.objects.get(username=name)


def test_only_admins_see_people_in_the_navigation_and_may_open_it(root, officer, signed_in):
    assert '<a href="/console/people/">People</a>' in root.get("/console/").content.decode()
    assert "/console/people/" not in officer.get("/console/").content.decode()
    assert officer.get("/console/people/").status_code == 403
    risk = signed_in(Role.RISK, Role.APPROVER, name="rita")
    assert risk.post("/console/people/create/", {}).status_code == 403


def test_an_admin_makes_a_person_with_roles_and_a_first_password(root):
    made = root.post(
        "/console/people/create/",
        {
            "username": "olga",
            "roles": ["officer", "approver"],
            "password": NEW_PASSWORD,
            "form_key": form_key(),
        },
    )
    assert (made.status_code, made["Location"]) == (303, "/console/people/")
    olga = person("olga")
    assert olga.check_password(NEW_PASSWORD)
    assert roles_of_person(olga) == {Role.OFFICER, Role.APPROVER}
    page = root.get("/console/people/").content.decode()
    assert "olga can sign in now." in page
    assert "<td>olga</td>\n      <td>Created</td>\n      <td>roles: approver, officer</td>" in page


def test_errors_stand_beside_their_fields(root):
    refused = root.post(
        "/console/people/create/",
        {"username": "two words", "password": "1234", "form_key": form_key()},
    )
    assert refused.status_code == 400
    page = refused.content.decode()
    username_error = "Letters, digits and @ . + - _ only, no spaces."
    assert f'<ul class="errorlist" id="id_username-errors"><li>{username_error}</li>' in page
    assert '<ul class="errorlist" id="id_roles-errors"><li>Choose at least one role.</li>' in page
    weak = root.post(
        "/console/people/create/",
        {"username": "olga", "roles": ["officer"], "password": "1234", "form_key": form_key()},
    ).content.decode()
    assert (
        '<ul class="errorlist" id="id_password-errors"><li>This password is too short. It must '
        "contain at least 12 characters.</li><li>This password is too common.</li><li>This "
        "password is entirely numeric.</li></ul>"
    ) in weak
    assert not User.objects.filter(username="olga").exists()


def test_roles_deactivation_reactivation_and_a_new_password(root, staff):
    olga = staff(Role.OFFICER, name="olga")
    prefix = f"person-{olga.pk}"
    saved = root.post(f"/console/people/{olga.pk}/roles/", {f"{prefix}-roles": ["risk"]})
    assert (saved.status_code, saved["Location"]) == (303, f"/console/people/#person-{olga.pk}")
    assert roles_of_person(person("olga")) == {Role.RISK}
    none = root.post(f"/console/people/{olga.pk}/roles/", {})
    assert none.status_code == 400
    assert f'id="id_{prefix}-roles-errors"><li>Choose at least one role.' in none.content.decode()
    assert root.post(f"/console/people/{olga.pk}/deactivate/").status_code == 303
    assert person("olga").is_active is False
    assert root.post(f"/console/people/{olga.pk}/reactivate/").status_code == 303
    weak = root.post(f"/console/people/{olga.pk}/password/", {f"{prefix}-password": "olga"})
    assert weak.status_code == 400
    assert f'id="id_{prefix}-password-errors"><li>' in weak.content.decode()
    reset = root.post(f"/console/people/{olga.pk}/password/", {f"{prefix}-password": NEW_PASSWORD})
    assert reset.status_code == 303
    assert person("olga").check_password(NEW_PASSWORD)
    recorded = PersonChange.objects.order_by("id").values_list("action", "detail", "changed_by")
    assert list(recorded) == [
        ("roles_changed", "officer → risk", "root"),
        ("deactivated", "", "root"),
        ("reactivated", "", "root"),
        ("password_reset", "", "root"),
    ]


def test_the_last_admin_is_refused_with_a_message(root):
    me = person("root")
    refused = root.post(f"/console/people/{me.pk}/deactivate/")
    assert refused.status_code == 409
    assert "root is the last active admin" in refused.content.decode()
    demoted = root.post(f"/console/people/{me.pk}/roles/", {f"person-{me.pk}-roles": ["officer"]})
    assert demoted.status_code == 400
    assert "root is the last active admin" in demoted.content.decode()
    assert person("root").is_active is True
    assert roles_of_person(person("root")) == {Role.ADMIN}


def test_a_deactivated_person_is_signed_out_and_cannot_sign_in(root, staff, client):
    olga = staff(Role.OFFICER, name="olga")
    client.force_login(olga)
    assert client.get("/console/customers/").status_code == 200
    root.post(f"/console/people/{olga.pk}/deactivate/")
    assert client.get("/console/customers/").status_code == 302
    signed = client.post("/console/sign-in/", {"username": "olga", "password": PASSWORD})
    assert signed.status_code == 200  # the form again, with its error


def test_a_missing_person_is_the_404_page(root):
    assert root.post("/console/people/999/deactivate/").status_code == 404


def test_an_admin_who_sets_their_own_password_stays_signed_in(root):
    me = person("root")
    field = f"person-{me.pk}-password"
    assert root.post(f"/console/people/{me.pk}/password/", {field: NEW_PASSWORD}).status_code == 303
    assert person("root").check_password(NEW_PASSWORD)
    assert root.get("/console/people/").status_code == 200  # not sent to sign in again
