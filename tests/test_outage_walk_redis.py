"""Every URL pattern the project declares, with every method, with Redis unreachable or frozen:
nothing fails and nothing hangs, on a database of the walk's own, migrated once for both."""

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from conftest import require_or_skip
from tests.outage import ROOT, SLOWEST_SECONDS, production, shown, walk
from tests.processes import PrivateRedis, free_port, recreate_database

pytestmark = pytest.mark.slow


DATABASE = "credit_e2e_walk"


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """The walk's database migrated once, for each walk to start from a copy."""
    if connection.vendor == "postgresql":
        template = f"{DATABASE}_template"
        recreate_database(template)
        url = f"postgres://postgres@127.0.0.1:5432/{template}"
    else:
        template = str(tmp_path_factory.mktemp("walk") / "template.sqlite3")
        url = f"sqlite:///{template}"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
    )
    yield template
    if connection.vendor == "postgresql":
        recreate_database(template, drop_only=True)


@pytest.fixture
def database(tmp_path, migrated):
    """A copy of the migrated database, which the walk fills: this test's own."""
    if connection.vendor != "postgresql":
        copy = tmp_path / "walk.sqlite3"
        shutil.copyfile(migrated, copy)
        yield f"sqlite:///{copy}"
        return
    recreate_database(DATABASE, template=migrated)
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
