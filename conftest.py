"""Shared fixtures. Tests that need PostgreSQL or Redis skip with a reason on a laptop without
them; with REQUIRE_SERVICES=1 (set by .ci/run) a missing service fails the test instead."""

import os
from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection
from rest_framework.test import APIClient

from core import clock

# Every test runs on a pinned "today" unless it moves it with `set_today`.
TODAY = date(2026, 6, 15)


def require_or_skip(reason: str) -> None:
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1 turns this skip into a failure)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _services_for_markers(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        require_or_skip("needs PostgreSQL: set DATABASE_URL=postgres://...")
    if request.node.get_closest_marker("redis") and not os.environ.get("REDIS_URL"):
        require_or_skip("needs Redis: set REDIS_URL=redis://...")


@pytest.fixture(autouse=True)
def set_today(monkeypatch: pytest.MonkeyPatch) -> Callable[[date], None]:
    current = {"today": TODAY}
    monkeypatch.setattr(clock, "today", lambda: current["today"])

    def move_to(day: date) -> None:
        current["today"] = day

    return move_to


@pytest.fixture
def api() -> APIClient:
    return APIClient()
