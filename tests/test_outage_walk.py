"""Every URL pattern the project declares, with every method, while a service it needs is out:
with the database unreachable each answer that needs it is a 503 with Retry-After (the people's
pages an HTML page, the API its envelope), and with Redis unreachable or frozen nothing fails
and nothing hangs. Never a 500. tests/walk.py asks, in a process of its own per walk, under the
settings of `make run` (DEBUG on) or `make serve` (production, collected static files)."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from conftest import require_or_skip
from tests.processes import (
    PRODUCTION_SECRET_KEY,
    PrivateRedis,
    free_port,
    recreate_database,
)
from tests.walk import KEY

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "credit_e2e_walk"

pytestmark = pytest.mark.slow

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


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """`make serve` collects the static files first: the production pages name hashed ones."""
    folder = tmp_path_factory.mktemp("static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=production({}, folder),
        check=True,
        capture_output=True,
    )
    return folder


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


def test_with_the_database_unreachable_make_run_answers_every_page_503(tmp_path):
    answers = walk(local({"DATABASE_URL": unreachable_database(tmp_path)}), tmp_path)
    assert_no_server_error_but_503s_with_retry_after(answers)
    assert_every_answer_that_needs_the_database_is_503(answers, WITHOUT_THE_DATABASE)


def test_with_the_database_unreachable_make_serve_answers_every_page_503(tmp_path, static_root):
    answers = walk(
        production({"DATABASE_URL": unreachable_database(tmp_path)}, static_root), tmp_path
    )
    assert_no_server_error_but_503s_with_retry_after(answers)
    assert_every_answer_that_needs_the_database_is_503(
        answers, WITHOUT_THE_DATABASE | WITH_A_CONFIGURED_KEY
    )


def test_with_the_database_unreachable_signing_in_is_503_too(tmp_path, static_root):
    """No session cookie and no key: pages send the person to sign in, which is a 503."""
    env = {"DATABASE_URL": unreachable_database(tmp_path), "WALK_ANONYMOUS": "1"}
    answers = walk(production(env, static_root), tmp_path)
    assert_no_server_error_but_503s_with_retry_after(answers)
    signing_in = {
        (a["name"], a["method"]): a["status"] for a in answers if a["name"].endswith("login")
    }
    assert signing_in[("admin:login", "POST")] == 503
    console = {(a["name"], a["method"]): a["status"] for a in answers if a["name"]}
    assert console[("console:sign-in", "POST")] == 503
    assert console[("console:sign-in", "GET")] == 200  # the form needs no database
    assert console[("console:dashboard", "GET")] == 302  # to the sign-in page


@pytest.fixture
def database(tmp_path):
    """A database the walk migrates and fills: this test's own."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'walk.sqlite3'}"
        return
    recreate_database(DATABASE)
    yield f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    recreate_database(DATABASE, drop_only=True)


def assert_nothing_fails_and_nothing_hangs(answers: list[dict[str, Any]]) -> None:
    failed = [a for a in answers if a["status"] >= 500]
    assert not failed, shown(failed)
    slow = [a for a in answers if a["seconds"] > SLOWEST_SECONDS]
    assert not slow, [
        f"{line} in {a['seconds']} s" for line, a in zip(shown(slow), slow, strict=True)
    ]


def test_with_redis_unreachable_nothing_fails(tmp_path, database, static_root):
    env = {
        "DATABASE_URL": database,
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
        "WALK_SETUP": "1",
    }
    assert_nothing_fails_and_nothing_hangs(walk(production(env, static_root), tmp_path))


def test_with_redis_frozen_nothing_fails_and_nothing_hangs(tmp_path, database, static_root):
    """A redis-server stopped with SIGSTOP: connections are accepted and never answered, as
    with a hung server or a half-open connection."""
    if not any((Path(folder) / "redis-server").exists() for folder in os.get_exec_path()):
        require_or_skip("needs redis-server on PATH")
    redis = PrivateRedis(tmp_path)
    redis.up()
    try:
        redis.pause()
        env = {
            "DATABASE_URL": database,
            "REDIS_URL": redis.url,
            "WALK_SETUP": "1",
        }
        answers = walk(production(env, static_root), tmp_path)
    finally:
        redis.down()
    assert_nothing_fails_and_nothing_hangs(answers)
    handed_over = {a["name"]: a["seconds"] for a in answers if a["method"] == "POST"}
    assert handed_over["ingest"] > 1  # it did wait for the frozen broker, and gave up
