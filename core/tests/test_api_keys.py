"""With API_KEYS set, every endpoint but /health needs X-API-Key holding one of them."""

import pytest
from django.test import override_settings

from core.auth import ApiClient, Role, client_for_key, fingerprint

KEYS = ["first-key-0123456789abcdef", "second-key-0123456789abcdef"]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_keys")]


@pytest.fixture
def _keys():
    with override_settings(API_KEYS=KEYS):
        yield


PROTECTED = [
    ("get", "/view-loan/1"),
    ("get", "/view-loans/1"),
    ("post", "/register"),
    ("post", "/check-eligibility"),
    ("post", "/create-loan"),
    ("get", "/api/schema"),
    ("get", "/api/docs"),
    ("get", "/metrics"),
]


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_no_key_is_401_in_the_envelope(api, method, path):
    response = getattr(api, method)(path)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == 'ApiKey header="X-API-Key"'


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_a_wrong_key_is_401(api, method, path):
    response = getattr(api, method)(path, HTTP_X_API_KEY="first-key-0123456789abcdeX")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("key", KEYS)
def test_either_right_key_gets_in(api, key):
    assert api.get("/view-loans/1", HTTP_X_API_KEY=key).status_code == 404  # no such customer
    assert api.get("/api/schema", HTTP_X_API_KEY=key).status_code == 200
    assert api.get("/api/docs", HTTP_X_API_KEY=key).status_code == 200
    assert api.get("/metrics", HTTP_X_API_KEY=key).status_code == 200


def test_a_right_key_registers(api):
    response = api.post(
        "/register",
        {
            "first_name": "Asha",
            "last_name": "Rao",
            "age": 30,
            "monthly_income": 50000,
            "phone_number": 9876543210,
        },
        format="json",
        HTTP_X_API_KEY=KEYS[0],
    )
    assert response.status_code == 201


def test_health_needs_no_key(api):
    assert api.get("/health").status_code == 200


def test_metrics_can_be_made_public(api):
    with override_settings(METRICS_PUBLIC=True):
        assert api.get("/metrics").status_code == 200
    assert api.get("/metrics").status_code == 401


def test_without_keys_the_api_is_open(api):
    with override_settings(API_KEYS=[]):
        assert api.get("/view-loans/1").status_code == 404
        assert api.get("/metrics").status_code == 200


def test_the_client_is_known_by_a_fingerprint_never_the_key():
    assert client_for_key(KEYS[1]) == ApiClient(fingerprint(KEYS[1]), Role.ADMIN)
    assert len(fingerprint(KEYS[1])) == 12
    assert fingerprint(KEYS[0]) != fingerprint(KEYS[1])
    assert client_for_key("") is None
    assert client_for_key(KEYS[1][:-1]) is None
