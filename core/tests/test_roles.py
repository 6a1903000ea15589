"""Keys made with `manage.py api_key` carry a role; a request outside it is a 403. Keys are kept
only as digests; a revoked key stops working within API_KEY_CACHE_SECONDS on every worker."""

import io
import time

import pytest
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.test import override_settings

from core.auth import Role, digest, warn_if_open
from core.models import ApiKey

pytestmark = pytest.mark.django_db


def make_key(name, role):
    out = io.StringIO()
    call_command("api_key", "create", name, "--role", role, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == f"Key '{name}' ({role}) made; it is shown this once:"
    return lines[-1]


@pytest.fixture
def keys():
    return {role: make_key(f"{role}-client", role) for role in Role}


# One request an endpoint of each role answers without a 401/403 of its own.
OFFICER_ONLY: list[tuple[str, str, dict[str, int] | None]] = [
    ("post", "/check-eligibility", {}),
    ("get", "/view-loans/1", None),
]
DECISIONS = [("get", "/decisions/1", None)]
OPERATIONS_ONLY = [("get", "/ingest/1", None)]
ANY_KEY = [("get", "/api/schema", None), ("get", "/metrics", None)]


def status(api, key, method, path, body):
    kwargs = {"format": "json"} if body is not None else {}
    return getattr(api, method)(path, body, HTTP_X_API_KEY=key, **kwargs).status_code


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (Role.OFFICER, OFFICER_ONLY + DECISIONS, OPERATIONS_ONLY),
        (Role.RISK, DECISIONS, OFFICER_ONLY + OPERATIONS_ONLY),
        (Role.OPERATIONS, OPERATIONS_ONLY, OFFICER_ONLY + DECISIONS),
        (Role.ADMIN, OFFICER_ONLY + DECISIONS + OPERATIONS_ONLY, []),
    ],
)
def test_each_role_reaches_its_endpoints_and_only_them(api, keys, role, allowed, refused):
    for method, path, body in allowed + ANY_KEY:
        assert status(api, keys[role], method, path, body) not in (401, 403), path
    for method, path, body in refused:
        response = getattr(api, method)(path, body, HTTP_X_API_KEY=keys[role], format="json")
        assert response.status_code == 403, path
        assert response.json()["error"] == {
            "code": "permission_denied",
            "message": "This API key's role may not use this endpoint.",
            "fields": {},
        }


def test_a_managed_key_requires_keys_and_is_stored_only_as_its_digest(api, keys):
    assert api.get("/view-loans/1").status_code == 401
    stored = ApiKey.objects.get(name="officer-client")
    assert stored.digest == digest(keys[Role.OFFICER])
    assert keys[Role.OFFICER] not in str(list(ApiKey.objects.values()))
    assert keys[Role.OFFICER].startswith("crd_")
    assert stored.prefix == keys[Role.OFFICER][:8]


@override_settings(API_KEYS=["an-environment-key-0123456789"])
def test_keys_from_the_environment_keep_every_role(api):
    for method, path, body in OFFICER_ONLY + DECISIONS + OPERATIONS_ONLY:
        assert status(api, "an-environment-key-0123456789", method, path, body) not in (401, 403)


def test_a_revoked_key_stops_working_within_the_cache_seconds(api, keys, monkeypatch):
    key = keys[Role.OFFICER]
    assert status(api, key, "get", "/view-loans/1", None) == 404
    out = io.StringIO()
    call_command("api_key", "revoke", "officer-client", stdout=out)
    assert out.getvalue().strip() == "Key 'officer-client' revoked."
    # This process still holds its answer for a moment ...
    assert status(api, key, "get", "/view-loans/1", None) == 404
    # ... and forgets it after API_KEY_CACHE_SECONDS, like every other worker.
    later = time.time() + 6
    monkeypatch.setattr(time, "time", lambda: later)
    assert status(api, key, "get", "/view-loans/1", None) == 401


def test_a_request_pays_no_query_for_its_key_while_it_is_remembered(
    api, keys, django_assert_num_queries
):
    key = keys[Role.OFFICER]
    api.get("/view-loans/1", HTTP_X_API_KEY=key)
    with django_assert_num_queries(1):  # view-loans' own statement only
        assert status(api, key, "get", "/view-loans/1", None) == 404


def test_list_shows_every_key_without_the_key(keys):
    call_command("api_key", "revoke", "risk-client", stdout=io.StringIO())
    out = io.StringIO()
    call_command("api_key", "list", stdout=out)
    rows = [line.split("\t") for line in out.getvalue().splitlines()]
    assert [(row[0], row[1], row[4].split()[0]) for row in rows] == [
        ("admin-client", "admin", "active"),
        ("approver-client", "approver", "active"),
        ("officer-client", "officer", "active"),
        ("operations-client", "operations", "active"),
        ("risk-client", "risk", "revoked"),
    ]
    assert all(key not in out.getvalue() for key in keys.values())


def test_names_are_unique_and_revoking_an_unknown_key_is_an_error(keys):
    with pytest.raises(CommandError, match=r"A key named 'risk-client' exists already\."):
        call_command("api_key", "create", "risk-client", "--role", "risk")
    with pytest.raises(CommandError, match=r"No active key named 'nobody'\."):
        call_command("api_key", "revoke", "nobody")


def test_a_closed_service_refuses_everyone_until_its_first_key_and_says_how(api, caplog):
    """Production (API_KEYS_REQUIRED) without API_KEYS: closed from the start, not open."""
    with override_settings(API_KEYS_REQUIRED=True):
        warn_if_open()
        assert caplog.messages == [
            "No API key exists yet: every request but /health is refused until one is made "
            "with python3 manage.py api_key create NAME --role ROLE."
        ]
        assert api.get("/view-loans/1").status_code == 401
        key = make_key("first", Role.OFFICER)
        caches["local"].clear()
        assert api.get("/view-loans/1", HTTP_X_API_KEY=key).status_code == 404
        caplog.clear()
        warn_if_open()
        assert caplog.messages == []


def test_the_embedded_default_is_open_until_a_key_exists_and_says_so(api, caplog):
    warn_if_open()
    assert caplog.messages == [
        "No API keys are configured: the API is open to anyone who can reach it."
    ]
    assert api.get("/view-loans/1").status_code == 404
