"""Signing in and out of the console: Django's sessions, CSRF on the form, django-axes'
lockout shown as a page, roles as groups, and the commands that make people."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.db import connection  # noqa: F401 (the skipif reads it)
from django.test import Client

from console.tests.conftest import PASSWORD
from core.auth import Role

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def sign_in(client, username, password, address="10.9.9.9"):
    return client.post(
        "/console/sign-in/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_the_sign_in_page_labels_its_fields_and_its_button():
    page = Client().get("/console/sign-in/").content.decode()
    assert '<label for="id_username">Username</label>' in page
    assert '<label for="id_password">Password</label>' in page
    assert '<button type="submit">Sign in</button>' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_a_visitor_is_sent_to_sign_in_and_back_to_the_page_asked_for(staff):
    staff(Role.OFFICER, name="asha")
    client = Client()
    asked = client.get("/console/customers/?q=Rao")
    assert (asked.status_code, asked["Location"]) == (
        302,
        "/console/sign-in/?next=/console/customers/%3Fq%3DRao",
    )
    signed = client.post(
        "/console/sign-in/?next=/console/customers/",
        {"username": "asha", "password": PASSWORD, "next": "/console/customers/"},
    )
    assert (signed.status_code, signed["Location"]) == (302, "/console/customers/")
    assert client.get("/console/customers/").status_code == 200


def test_a_wrong_password_is_said_beside_the_form(staff):
    staff(Role.OFFICER, name="asha")
    answer = sign_in(Client(), "asha", "not-it")
    assert answer.status_code == 200
    assert "The username or the password is wrong." in answer.content.decode()


def test_five_failures_lock_the_account_with_a_page_that_says_so(staff):
    staff(Role.OFFICER, name="asha")
    client = Client()
    statuses = [sign_in(client, "asha", f"wrong-{n}").status_code for n in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    locked = sign_in(Client(), "asha", PASSWORD)  # the right password, from the same address
    page = locked.content.decode()
    assert locked.status_code == 429
    assert "Account locked</h1>" in page
    assert "after 5 wrong passwords in a row this account is locked at this address" in page
    assert "for 0:15:00" in page
    # From another address the owner still signs in (docs/deployment.md, Sign-in lockout).
    assert sign_in(Client(), "asha", PASSWORD, "10.8.8.8").status_code == 302


def test_the_form_needs_its_csrf_token(staff):
    staff(Role.OFFICER, name="asha")
    refused = Client(enforce_csrf_checks=True).post(
        "/console/sign-in/", {"username": "asha", "password": PASSWORD}
    )
    assert refused.status_code == 403
    assert "This form has expired" in refused.content.decode()


def test_sign_out_ends_the_session(officer):
    assert officer.get("/console/").status_code == 200
    out = officer.post("/console/sign-out/")
    assert (out.status_code, out["Location"]) == (302, "/console/sign-in/")
    assert officer.get("/console/").status_code == 302


def test_the_session_cookie_never_reaches_javascript(staff, settings):
    staff(Role.OFFICER, name="asha")
    answer = sign_in(Client(), "asha", PASSWORD)
    assert answer.cookies["sessionid"]["httponly"] is True
    assert settings.CSRF_COOKIE_HTTPONLY is True


def test_the_four_roles_are_groups():
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(str(r) for r in Role)


def test_create_staff_user_takes_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("STAFF_PASSWORD", PASSWORD)
    out = io.StringIO()
    call_command("create_staff_user", "ravi", "--role", "risk", stdout=out)
    assert out.getvalue() == "Created ravi with the role risk.\n"
    ravi = User.objects.get(username="ravi")
    assert ravi.check_password(PASSWORD)
    assert list(ravi.groups.values_list("name", flat=True)) == ["risk"]
    assert sign_in(Client(), "ravi", PASSWORD).status_code == 302


def test_create_staff_user_asks_twice_without_the_variable(monkeypatch):
    monkeypatch.delenv("STAFF_PASSWORD", raising=False)
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    call_command("create_staff_user", "meera", "--role", "operations", stdout=io.StringIO())
    assert User.objects.get(username="meera").check_password(PASSWORD)


def test_create_staff_user_refuses_differing_or_weak_passwords(monkeypatch):
    monkeypatch.delenv("STAFF_PASSWORD", raising=False)
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="The two passwords differ"):
        call_command("create_staff_user", "meera", "--role", "officer")
    monkeypatch.setenv("STAFF_PASSWORD", "123")
    with pytest.raises(CommandError, match="This password is too short"):
        call_command("create_staff_user", "meera", "--role", "officer")
    assert not User.objects.filter(username="meera").exists()


def test_the_demo_users_exist_on_the_embedded_default_only(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="embedded default only"):
        call_command("console_demo")
    assert User.objects.count() == 0


def test_production_migrates_without_any_user_and_refuses_the_demo(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "a-production-secret-" + "Zq8Lm3Nv7Rt2Wx5Yb9Kc4Hd6Fg1Js0Pa",
        "ALLOWED_HOSTS": "localhost",
        "ALLOW_ANONYMOUS": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
    }

    def manage(*args):
        command = [sys.executable, "manage.py", *args]
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)

    assert manage("migrate", "-v0").returncode == 0
    demo = manage("console_demo")
    assert demo.returncode == 1
    assert "embedded default only" in demo.stderr
    count = manage(
        "shell",
        "-v0",
        "-c",
        "from django.contrib.auth.models import User; print(User.objects.count())",
    )
    assert count.stdout.splitlines()[-1] == "0"


def test_create_staff_user_needs_a_password(monkeypatch):
    monkeypatch.delenv("STAFF_PASSWORD", raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt: "")
    with pytest.raises(CommandError, match="No password given: type one or set STAFF_PASSWORD"):
        call_command("create_staff_user", "meera", "--role", "officer")


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_the_demo_loads_sample_data_and_prints_each_demo_users_password(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("console_demo", customers=30, stdout=out)
    printed = out.getvalue().splitlines()
    password = printed[-1].removeprefix("  password: ")
    assert printed[-7:-1] == [
        "Demo users (one password for all; a new one each run):",
        "  demo-officer      role officer",
        "  demo-risk         role risk",
        "  demo-operations   role operations",
        "  demo-approver     role approver",
        "  demo-admin        role admin",
    ]
    officer = User.objects.get(username="demo-officer")
    assert officer.check_password(password)
    assert list(officer.groups.values_list("name", flat=True)) == ["officer"]
    from decisions.models import CreditDecision
    from loans.models import Loan

    assert CreditDecision.objects.filter(requested_by="demo-officer").count() > 90
    # Seeded: the same five of its seven applications approved every run at 30 customers.
    assert Loan.objects.filter(origin="booked").count() == 5


def test_in_production_behind_https_cookies_are_secure_and_http_only_with_hsts(tmp_path):
    shown = (
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT)"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "a-production-secret-" + "Zq8Lm3Nv7Rt2Wx5Yb9Kc4Hd6Fg1Js0Pa",
        "ALLOWED_HOSTS": "credit.example.com",
        "ALLOW_ANONYMOUS": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "HTTPS": "true",
    }
    command = [sys.executable, "manage.py", "shell", "-v0", "-c", shown]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.stdout.splitlines()[-1] == "True True True True 31536000 True"
