"""What the outage walks share (tests/test_outage_walk_*.py): the settings of `make run` and
`make serve`, a walk of every URL pattern with every method in a process of its own
(tests/walk.py), and what every walk's answers must show."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.db import connection

from tests.processes import (
    PRODUCTION_SECRET_KEY,
    free_port,
)
from tests.walk import KEY

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "credit_e2e_walk"

# What answers without the database, whatever the method: /admin redirects to /admin/, a path
# no pattern names is a 404, before any view runs, and / says where the docs are.
WITHOUT_THE_DATABASE = {"admin": 301, "^": 404, "": 200}
# With a key from API_KEYS (make serve's), so that no key needs looking up: the OpenAPI
# document, Swagger UI and the metrics need no database either.
WITH_A_CONFIGURED_KEY = dict.fromkeys(
    ["api/schema", "api/schema/", "api/docs", "api/docs/", "metrics", "metrics/"], 200
)
# A request that meets a hung Redis gives up within this many seconds (three hand-over
# attempts of the broker's 2 s socket timeout at most: config/settings/base.py).
SLOWEST_SECONDS = 7


def production(overrides: dict[str, str], static: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DEBUG": "false",
        "SECRET_KEY": PRODUCTION_SECRET_KEY,
        "ALLOWED_HOSTS": "testserver",
        "API_KEYS": KEY,
        "STATIC_ROOT": str(static),
    }
    for name in ("API_THROTTLE_RATE", "ALLOW_ANONYMOUS", "METRICS_PUBLIC", "HTTPS"):
        env.pop(name, None)
    return {**env, **overrides}


def local(overrides: dict[str, str]) -> dict[str, str]:
    """`make run`'s settings: DEBUG on, the API open until a key exists."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", "DEBUG": "true"}
    for name in ("API_KEYS", "API_THROTTLE_RATE", "ALLOW_ANONYMOUS", "SECRET_KEY"):
        env.pop(name, None)
    return {**env, **overrides}


def walk(env: dict[str, str], folder: Path, timeout: int = 300) -> list[dict[str, Any]]:
    result = subprocess.run(
        [sys.executable, "-m", "tests.walk"],
        cwd=ROOT,
        env={**env, "INGEST_DIR": str(folder / "ingest")},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len({answer["route"] for answer in answers}) > 100  # the API, console and admin
    return answers


def unreachable_database(tmp_path: Path) -> str:
    """Where no database answers: a port nothing listens on, or a file in no folder."""
    if connection.vendor == "postgresql":
        return f"postgres://postgres@127.0.0.1:{free_port()}/credit_nowhere"
    return f"sqlite:///{tmp_path / 'no-such-folder' / 'db.sqlite3'}"


def shown(answers: list[dict[str, Any]]) -> list[str]:
    return [f"{a['method']} {a['path']} {a['status']} {a['code']}" for a in answers]


def assert_no_server_error_but_503s_with_retry_after(answers: list[dict[str, Any]]) -> None:
    failed = [a for a in answers if a["status"] >= 500 and a["status"] != 503]
    assert not failed, shown(failed)
    unavailable = [a for a in answers if a["status"] == 503]
    without = [a for a in unavailable if a["retry_after"] != "1"]
    assert not without, shown(without)
    for answer in unavailable:
        if answer["path"].startswith(("/console/", "/admin/")):
            assert answer["content_type"] == "text/html; charset=utf-8", shown([answer])
        elif answer["name"] != "health" and answer["route"] != "health/":  # its own report
            assert answer["code"] == "service_unavailable", shown([answer])


def assert_every_answer_that_needs_the_database_is_503(
    answers: list[dict[str, Any]], without_it: dict[str, int]
) -> None:
    """A method a view does not take is a 405 with or without the database."""
    other = [
        a
        for a in answers
        if a["status"] not in (503, 405) and without_it.get(a["route"]) != a["status"]
    ]
    assert not other, shown(other)
    for route, status in without_it.items():
        assert status in {a["status"] for a in answers if a["route"] == route}, route
