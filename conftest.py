"""Shared fixtures. Tests that need PostgreSQL or Redis skip with a reason on a laptop without
them; with REQUIRE_SERVICES=1 (set by .ci/run) a missing service fails the test instead."""

import io
import json
import logging
import os
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from django.db import connection
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from core import clock
from core import jobs as core_jobs
from core.logging import JsonFormatter
from core.remember import forget_everything

# Hypothesis judges what a property holds, not how fast: a pause of the shared two cores (CI's
# PostgreSQL pass once stalled a sub-millisecond example for 264 ms) must not fail a property.
hypothesis_settings.register_profile("project", deadline=None)
hypothesis_settings.load_profile("project")

# Every test runs on a pinned "today" unless it moves it with `set_today`.
TODAY = date(2026, 6, 15)


# `make test` runs pytest under a parallel make. The tests that type `make serve` or `make run`
# must do so as a person at a shell would: a make that inherited the outer one's jobserver
# (whose pipe it does not have) prints a warning first, and that line is not a JSON log line.
for _outer_make_variable in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):
    os.environ.pop(_outer_make_variable, None)


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


@pytest.fixture(autouse=True)
def _forget_what_processes_remember() -> Iterator[None]:
    """Each test looks its keys and policy versions up afresh: a process remembers them
    (core.auth, policies.selectors), and a rolled-back test's ids come back in the next."""
    forget_everything()
    yield
    forget_everything()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def run_inline(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A job handed over (after its request commits: django_capture_on_commit_callbacks) runs
    at once, in the test's thread and transaction. Lists the jobs it ran."""
    ran: list[int] = []

    def start(task: Any, job_id: int) -> bool:
        ran.append(job_id)
        task.run(job_id)
        return True

    monkeypatch.setattr(core_jobs, "start", start)
    return ran


@pytest.fixture
def json_lines() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """The lines the production console handler would write, each formatted as it is emitted."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)
