"""Sign-in cannot be brute-forced: after LOGIN_FAILURE_LIMIT wrong passwords an account is
locked at the address they came from, even with the right password, and so is that address for
every account; the lockout is logged (django-axes). An attacker elsewhere never locks the owner
out."""

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
    # From the same address, with the right password: locked.
    assert sign_in(Client(), "officer", "right-password-123").status_code == 429
    # From another address, with the right password: the owner signs in.
    assert sign_in(Client(), "officer", "right-password-123", "10.2.2.2").status_code == 302
    assert sign_in(Client(), "officer", "right-password-123").status_code == 429


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


# Behind one proxy (NUM_PROXIES=1, as compose runs it): every request comes from the proxy's
# address, and the client's is the last entry of the X-Forwarded-For the proxy appends to.
PROXY = "172.18.0.5"


@pytest.fixture
def behind_one_proxy(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def sign_in_through_the_proxy(path, username, password, client_address, forwarded_before=""):
    forwarded = f"{forwarded_before}, {client_address}" if forwarded_before else client_address
    return Client().post(
        path,
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.mark.usefixtures("behind_one_proxy")
@pytest.mark.parametrize(
    ("path", "signed_in"), [("/admin/login/?next=/admin/", 302), ("/console/sign-in/", 302)]
)
def test_a_person_signs_in_from_elsewhere_while_an_attacker_is_locked(staff, path, signed_in):
    attacker, owner = "203.0.113.7", "198.51.100.20"
    tries = [
        sign_in_through_the_proxy(path, "officer", f"wrong-{n}", attacker).status_code
        for n in range(5)
    ]
    assert tries == [200, 200, 200, 200, 429]
    right = sign_in_through_the_proxy(path, "officer", "right-password-123", owner)
    assert right.status_code == signed_in
    # The owner's success clears nothing of the attacker's: still locked, right password or not,
    # whatever the attacker writes in X-Forwarded-For before the proxy's entry.
    for forged in ("", owner, "10.9.9.9"):
        again = sign_in_through_the_proxy(path, "officer", "right-password-123", attacker, forged)
        assert again.status_code == 429
    # And the attacker's address is locked for every other account too.
    assert sign_in_through_the_proxy(path, "another", "whatever-it-is", attacker).status_code == 429


@pytest.mark.usefixtures("behind_one_proxy")
def test_an_address_that_is_not_an_address_counts_as_the_peer_not_a_500(staff):
    """NUM_PROXIES=1 with nothing in front: the client writes X-Forwarded-For itself."""
    tries = [
        Client()
        .post(
            "/console/sign-in/",
            {"username": "officer", "password": "wrong"},
            REMOTE_ADDR="10.1.1.1",
            HTTP_X_FORWARDED_FOR=f"not-an-address-{n}",
        )
        .status_code
        for n in range(5)
    ]
    assert tries == [200, 200, 200, 200, 429]
    assert sign_in(Client(), "officer", "right-password-123", "10.1.1.1").status_code == 429
