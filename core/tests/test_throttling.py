"""API_THROTTLE_RATE limits each key (or, without keys, each client address): 429 + Retry-After."""

import os
import uuid

import pytest
from django.core.cache import caches
from django.test import override_settings

pytestmark = pytest.mark.django_db

LOCMEM = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": f"throttle-test-{uuid.uuid4().hex}",
    },
}


def _limited(api, **headers):
    statuses = [api.get("/view-loans/1", **headers) for _ in range(4)]
    return statuses


@override_settings(CACHES=LOCMEM, API_THROTTLE_RATE="3/min")
def test_over_the_rate_is_429_with_retry_after(api):
    responses = _limited(api)
    assert [r.status_code for r in responses] == [404, 404, 404, 429]
    assert responses[-1].json()["error"]["code"] == "throttled"
    assert 1 <= int(responses[-1]["Retry-After"]) <= 61


@override_settings(
    CACHES=LOCMEM,
    API_THROTTLE_RATE="3/min",
    API_KEYS=["key-one-0123456789abcdef", "key-two-0123456789abcdef"],
)
def test_each_key_has_its_own_allowance(api):
    one = _limited(api, HTTP_X_API_KEY="key-one-0123456789abcdef")
    two = _limited(api, HTTP_X_API_KEY="key-two-0123456789abcdef")
    assert one[-1].status_code == two[-1].status_code == 429
    assert [r.status_code for r in two[:3]] == [404, 404, 404]


@override_settings(CACHES=LOCMEM, API_THROTTLE_RATE="3/min")
def test_addresses_are_counted_apart_and_forwarded_for_is_not_trusted(api):
    assert _limited(api, REMOTE_ADDR="10.0.0.1")[-1].status_code == 429
    spoofed = _limited(api, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert spoofed[0].status_code == 429
    assert _limited(api, REMOTE_ADDR="10.0.0.2")[0].status_code == 404


@override_settings(CACHES=LOCMEM, API_THROTTLE_RATE="1/min")
def test_health_is_never_throttled(api):
    assert {api.get("/health").status_code for _ in range(3)} == {200}


@override_settings(CACHES=LOCMEM)
def test_no_rate_means_no_limit(api):
    assert {r.status_code for r in [api.get("/view-loans/1") for _ in range(20)]} == {404}


@pytest.mark.redis
def test_counts_are_shared_through_redis(api):
    redis_caches = {
        **LOCMEM,
        "throttle": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": f"throttle-test-{uuid.uuid4().hex}",
        },
    }
    with override_settings(CACHES=redis_caches, API_THROTTLE_RATE="3/min"):
        try:
            responses = _limited(api, REMOTE_ADDR="10.9.9.9")
            assert responses[-1].status_code == 429
            assert caches["throttle"].get("throttle_api_10.9.9.9")  # the history lives in Redis
        finally:
            caches["throttle"].clear()


@override_settings(
    CACHES={
        **LOCMEM,
        "throttle": {
            **LOCMEM["throttle"],
            "BACKEND": ("django.core.cache.backends.redis.RedisCache"),
            "LOCATION": "redis://127.0.0.1:1/15",
        },
    },
    API_THROTTLE_RATE="1/min",
)
def test_an_unreachable_redis_lets_requests_through(api):
    assert [r.status_code for r in _limited(api)] == [404] * 4
