"""API_THROTTLE_RATE limits each key (or, without keys, each client address): 429 + Retry-After,
counted atomically (a moving window, in Redis when there is one)."""

import os
import uuid

import pytest
import redis
from django.test import override_settings

from core import throttling

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counts():
    """Each test counts from zero in memory (and in its own Redis namespace, see below)."""
    throttling.limiter("").storage.reset()


def _limited(api, **headers):
    statuses = [api.get("/view-loans/1", **headers) for _ in range(4)]
    return statuses


@override_settings(REDIS_URL="", API_THROTTLE_RATE="3/min")
def test_over_the_rate_is_429_with_retry_after(api):
    responses = _limited(api)
    assert [r.status_code for r in responses] == [404, 404, 404, 429]
    assert responses[-1].json()["error"]["code"] == "throttled"
    assert 1 <= int(responses[-1]["Retry-After"]) <= 61


@override_settings(
    REDIS_URL="",
    API_THROTTLE_RATE="3/min",
    API_KEYS=["key-one-0123456789abcdef", "key-two-0123456789abcdef"],
)
def test_each_key_has_its_own_allowance(api):
    one = _limited(api, HTTP_X_API_KEY="key-one-0123456789abcdef")
    two = _limited(api, HTTP_X_API_KEY="key-two-0123456789abcdef")
    assert one[-1].status_code == two[-1].status_code == 429
    assert [r.status_code for r in two[:3]] == [404, 404, 404]


@override_settings(REDIS_URL="", API_THROTTLE_RATE="3/min")
def test_addresses_are_counted_apart_and_forwarded_for_is_not_trusted(api):
    assert _limited(api, REMOTE_ADDR="10.0.0.1")[-1].status_code == 429
    spoofed = _limited(api, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert spoofed[0].status_code == 429
    assert _limited(api, REMOTE_ADDR="10.0.0.2")[0].status_code == 404


@override_settings(REDIS_URL="", API_THROTTLE_RATE="1/min")
def test_health_is_never_throttled(api):
    assert {api.get("/health").status_code for _ in range(3)} == {200}


@override_settings(REDIS_URL="")
def test_no_rate_means_no_limit(api):
    assert {r.status_code for r in [api.get("/view-loans/1") for _ in range(20)]} == {404}


@pytest.mark.parametrize(
    ("rate", "count", "seconds"), [("10/s", 10, 1), ("600/min", 600, 60), ("5/hour", 5, 3600)]
)
def test_the_rate_syntax_is_drfs(rate, count, seconds):
    item = throttling.rate_item(rate)
    assert (item.amount, item.get_expiry()) == (count, seconds)


@pytest.mark.redis
def test_counts_are_shared_through_redis(api):
    address = f"10.9.{uuid.uuid4().int % 250}.9"
    with override_settings(API_THROTTLE_RATE="3/min", REDIS_URL=os.environ["REDIS_URL"]):
        responses = _limited(api, REMOTE_ADDR=address)
        assert responses[-1].status_code == 429
        client = redis.Redis.from_url(os.environ["REDIS_URL"])
        keys = client.keys(f"*{throttling.NAMESPACE}*{address}*")
        assert keys  # the window lives in Redis
        client.delete(*keys)


@override_settings(REDIS_URL="redis://127.0.0.1:1/15", API_THROTTLE_RATE="1/min")
def test_an_unreachable_redis_lets_requests_through(api):
    assert [r.status_code for r in _limited(api)] == [404] * 4
