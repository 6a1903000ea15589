"""GET /health: open to probes, 200 while the database answers, 503 when it does not."""

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.test import override_settings

from config.celery import app as celery_app
from core import health
from customers.tests.factories import CustomerFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _forget_remembered_answers():
    caches["local"].clear()
    yield
    caches["local"].clear()


COUNTED_AT = datetime(2026, 12, 1, 11, 15, 5, 469271, tzinfo=UTC)


@pytest.fixture(autouse=True, name="counted_at")
def _counted_at(monkeypatch):
    """The moment the counts are taken, pinned."""
    moments = [COUNTED_AT]
    monkeypatch.setattr(health, "timezone", SimpleNamespace(now=lambda: moments[-1]))
    return moments


DETAILS = {
    "status": "ok",
    "database": "ok",
    "version": "1.0.0",
    "checks": {"database": "ok", "redis": "disabled", "worker": "disabled"},
    "counts": {"customers": 2, "loans": 0},
    "counts_as_of": "2026-12-01T16:45:05.469271+05:30",
}


@pytest.mark.django_db
@override_settings(REDIS_URL="", API_KEYS=["a-key-long-enough-123"])
def test_health_tells_a_stranger_only_its_status_and_a_key_holder_everything(api):
    CustomerFactory.create_batch(2)
    stranger = api.get("/health")
    assert (stranger.status_code, stranger.json()) == (200, {"status": "ok", "database": "ok"})
    wrong_key = api.get("/health", HTTP_X_API_KEY="not-a-key-of-ours-123")
    assert wrong_key.json() == {"status": "ok", "database": "ok"}
    holder = api.get("/health", HTTP_X_API_KEY="a-key-long-enough-123")
    assert (holder.status_code, holder.json()) == (200, DETAILS)


@pytest.mark.django_db
@override_settings(REDIS_URL="", API_KEYS=["a-key-long-enough-123"], HEALTH_DETAILS_PUBLIC=True)
def test_health_details_may_be_made_public(api):
    CustomerFactory.create_batch(2)
    assert api.get("/health").json() == DETAILS


@pytest.mark.django_db
@override_settings(REDIS_URL="")
def test_without_keys_configured_everyone_sees_the_details(api):
    CustomerFactory.create_batch(2)
    assert api.get("/health").json() == DETAILS


@pytest.mark.django_db
@override_settings(REDIS_URL="", HEALTH_CACHE_SECONDS=60)
def test_the_counts_say_when_they_were_taken(api, counted_at, monkeypatch):
    """Kept for HEALTH_CACHE_SECONDS per process, so a count may be that old: counts_as_of
    says how old."""
    CustomerFactory.create_batch(2)
    first = api.get("/health").json()
    CustomerFactory.create()
    counted_at.append(COUNTED_AT + timedelta(seconds=3))
    assert api.get("/health").json() == first  # the same counts, of the same moment
    later = time.time() + 61  # HEALTH_CACHE_SECONDS on: the process forgets them
    monkeypatch.setattr(time, "time", lambda: later)
    fresh = api.get("/health").json()
    assert (fresh["counts"], fresh["counts_as_of"]) == (
        {"customers": 3, "loans": 0},
        "2026-12-01T16:45:08.469271+05:30",
    )


@pytest.mark.django_db
@override_settings(REDIS_URL="redis://127.0.0.1:1/15")
def test_redis_unreachable_is_200_degraded(api):
    response = api.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"] == {"database": "ok", "redis": "unreachable", "worker": "unreachable"}


@pytest.mark.django_db
@pytest.mark.redis
def test_no_worker_behind_a_live_redis_is_200_degraded(api, monkeypatch):
    monkeypatch.setattr(celery_app.control, "ping", lambda timeout, limit: [])
    with override_settings(REDIS_URL=os.environ["REDIS_URL"]):
        response = api.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "worker": "unreachable"}


@pytest.mark.django_db
@pytest.mark.redis
def test_the_worker_ping_is_remembered_between_probes(api, monkeypatch):
    pings = []

    def ping(timeout, limit):
        pings.append(timeout)
        return [{"worker@host": {"ok": "pong"}}]

    monkeypatch.setattr(celery_app.control, "ping", ping)
    with override_settings(REDIS_URL=os.environ["REDIS_URL"], HEALTH_CACHE_SECONDS=60):
        for _ in range(3):
            assert api.get("/health").json()["checks"]["worker"] == "ok"
    assert len(pings) == 1


def test_health_is_503_when_the_database_is_unreachable():
    """A real unreachable server (nothing listens on port 1), in a process of its own. Whether
    keys are required cannot be read then, so a caller without one sees only the status."""
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/health');"
        "print(r.status_code, sorted(r.json().items()))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/credit_nowhere",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    expected = "503 [('database', 'unreachable'), ('status', 'unavailable')]"
    assert result.stdout.strip() == expected, result.stderr
