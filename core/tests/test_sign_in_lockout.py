"""Sign-in cannot be brute-forced: after LOGIN_FAILURE_LIMIT wrong passwords an account is
locked, even with the right password, and so is the address they came from; the lockout is
logged (django-axes)."""

import logging

import pytest
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db


def sign_in(client, username, password, address="10.1.1.1"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


@pytest.fixture
def staff():
    return User.objects.create_user("officer", password="right-password-123", is_staff=True)


def test_the_account_locks_after_five_failures_even_for_the_right_password(staff, settings, caplog):
    client = Client()
    with caplog.at_level(logging.WARNING, logger="axes"):
        failures = [sign_in(client, "officer", f"wrong-{n}").status_code for n in range(5)]
    assert failures == [200, 200, 200, 200, 429]  # the form again, then the lockout
    assert any("Locking out" in record.getMessage() for record in caplog.records)
    # From another address, with the right password: the account itself is locked.
    assert sign_in(Client(), "officer", "right-password-123", "10.2.2.2").status_code == 429


def test_the_address_is_throttled_across_usernames(staff):
    client = Client()
    for n in range(5):
        sign_in(client, f"guess-{n}", "whatever")
    assert sign_in(client, "officer", "right-password-123").status_code == 429
    # The same account from elsewhere still signs in.
    assert sign_in(Client(), "officer", "right-password-123", "10.3.3.3").status_code == 302


def test_a_success_clears_the_failures_before_it(staff):
    client = Client()
    for n in range(4):
        sign_in(client, "officer", f"wrong-{n}")
    assert sign_in(client, "officer", "right-password-123").status_code == 302
    for n in range(4):
        assert sign_in(Client(), "officer", f"wrong-again-{n}").status_code == 200


def test_forwarded_for_does_not_hide_the_address_without_trusted_proxies(staff):
    client = Client()
    for n in range(5):
        client.post(
            "/admin/login/",
            {"username": f"guess-{n}", "password": "x"},
            REMOTE_ADDR="10.4.4.4",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    assert sign_in(client, "officer", "right-password-123", "10.4.4.4").status_code == 429
