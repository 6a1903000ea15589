"""What a newcomer and a deployer type, on a fresh `git clone` of this repository (what is
committed, nothing else: no .venv, no var/, no database):

- `make run`: one log line per request, the start-up lines once, and `GET /` sending a browser to
  the console and telling an API client where the docs are;
- `make demo` after `make run` (the README's order): the sample book, in a file of its own; on a
  database that holds other data, a refusal that says what to do;
- `make serve`, `make worker` and `make beat` with one set of variables (no
  DJANGO_SETTINGS_MODULE, no schedule file's folder): every line each writes is JSON, and a job
  accepted while Redis is down runs once Redis is back (beat's sweep hands it over again)."""

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from python_calamine import CalamineWorkbook

from tests.processes import (
    PRODUCTION_SECRET_KEY,
    PrivateRedis,
    free_port,
    recreate_database,
    require_live_services,
    start,
    stop,
    wait_for_health,
)

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "credit_fresh_clone"
KEY = "fresh-clone-key-0123456789abcdef"

pytestmark = pytest.mark.slow

# What this test run's own environment may hold that a newcomer's would not (the test
# settings set DEBUG in it).
NOT_A_NEWCOMERS = {
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_SETTINGS_MODULE",
    "DEBUG",
    "API_KEYS",
    "PORT",
}


def newcomer_env(**variables: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in NOT_A_NEWCOMERS}
    return env | variables


def make(*targets: str) -> list[str]:
    return ["make", "--no-print-directory", *targets]


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh clone, lent this run's own .venv: making one from the lock files is
    tests/test_makefile.py's subject, and CI's, whose two passes each make theirs with pip.
    The clone's lock files are dated before the loan, so make finds its installs up to date."""
    folder = tmp_path_factory.mktemp("fresh") / "credit"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(folder)], check=True, timeout=120)
    assert not (folder / "var").exists()
    (folder / ".venv").symlink_to(ROOT / ".venv", target_is_directory=True)
    for lock in (folder / "requirements").glob("*.txt"):
        os.utime(lock, (0, 0))
    return folder


def log_lines(log: Path) -> list[str]:
    return [line for line in log.read_text().splitlines() if line.strip()]


def test_make_run_logs_one_line_per_request_and_its_start_up_lines_once(clone, tmp_path):
    port = free_port()
    log = tmp_path / "run.log"
    server = start(make("run"), newcomer_env(PORT=str(port)), log, clone)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(base, 120)
        browser = requests.get(
            base, headers={"Accept": "text/html"}, allow_redirects=False, timeout=10
        )
        client = requests.get(base, timeout=10)
        missing = requests.get(f"{base}/nowhere", timeout=10)
        refused = requests.post(f"{base}/register", json={}, timeout=10)
        time.sleep(1)
    finally:
        stop(server)
    assert (browser.status_code, browser.headers["Location"]) == (302, "/console/")
    assert (client.status_code, client.json()) == (
        200,
        {
            "service": "Credit approval service",
            "docs": "/api/docs",
            "openapi": "/api/schema",
            "console": "/console/",
            "health": "/health",
        },
    )
    assert (missing.status_code, refused.status_code) == (404, 400)
    lines = log_lines(log)
    requested = [line for line in lines if " core.request " in line]
    assert [line.split(" core.request ", 1)[1] for line in requested[-4:]] == [
        "GET / 302",
        "GET / 200",
        "GET /nowhere 404",
        "POST /register 400",
    ]
    # One line per request: nothing else names those paths (runserver's own line, django's).
    assert [line for line in lines if "/nowhere" in line] == [requested[-2]]
    assert [line for line in lines if "/register" in line] == [requested[-1]]
    said_once = (
        "Sign-in lockout (the admin, the console): 5 failures in a row",
        "No API keys are configured: the API is open to anyone who can reach it.",
        "Watching for file changes with StatReloader",
    )
    assert [sum(text in line for line in lines) for text in said_once] == [1, 1, 1]
    assert not [line for line in lines if "AXES" in line]


def test_make_demo_has_its_own_book_and_refuses_a_database_with_other_data(clone, tmp_path):
    """The README's order: `make run` made db.sqlite3 (with data of the newcomer's: here three
    generated customers), then `make demo`."""
    manage = [str(clone / ".venv" / "bin" / "python"), "manage.py"]
    env = newcomer_env()
    subprocess.run([*manage, "migrate", "-v0"], cwd=clone, env=env, check=True, timeout=300)
    subprocess.run(
        [*manage, "generate_sample_data", "--customers", "3"],
        cwd=clone,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    port = free_port()
    log = tmp_path / "demo.log"
    demo = start(make("demo"), newcomer_env(PORT=str(port)), log, clone)
    try:
        health = wait_for_health(f"http://127.0.0.1:{port}", 300)
    finally:
        stop(demo)
    assert health["counts"]["customers"] == 300  # the sample book, not make run's three
    assert "Demo users (one password for all; a new one each run):" in log.read_text()
    assert (clone / "demo.sqlite3").is_file()

    mixed = subprocess.run(
        make("demo"),
        cwd=clone,
        env=newcomer_env(DATABASE_URL=f"sqlite:///{clone / 'db.sqlite3'}", PORT=str(port)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert mixed.returncode != 0
    assert (
        "CommandError: This database already holds other data (3 customers), so the demo "
        "would show it instead of its sample book." in mixed.stderr
    )


@pytest.fixture(scope="module")
def production(clone: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """`make serve`, `make worker` and `make beat` on the fresh clone, started at once with one
    set of variables, those of docs/deployment.md's `make serve` (a quick sweep, for the
    outage), on PostgreSQL and a redis-server of this test's own."""
    require_live_services()
    folder = tmp_path_factory.mktemp("fresh-production")
    redis = PrivateRedis(folder)
    redis.up()
    port = free_port()
    env = newcomer_env(
        SECRET_KEY=PRODUCTION_SECRET_KEY,
        API_KEYS=KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        REDIS_URL=f"redis://127.0.0.1:{redis.port}/0",
        PORT=str(port),
        WEB_CONCURRENCY="2",
        JOB_LEASE_SECONDS="3",
        JOB_SWEEP_SECONDS="2",
    )
    recreate_database(DATABASE)
    logs = {target: folder / f"{target}.log" for target in ("serve", "worker", "beat")}
    processes = [start(make(target), env, log, clone) for target, log in logs.items()]
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(base, 180, key=KEY)
        yield base, redis, logs
    finally:
        for process in processes:
            stop(process)
        if redis.process and redis.process.poll() is None:
            redis.down()
        recreate_database(DATABASE, drop_only=True)


@pytest.mark.postgres
@pytest.mark.redis
def test_serve_worker_and_beat_write_only_json_lines(production):
    _, _, logs = production
    deadline = time.monotonic() + 30
    while "beat: Starting..." not in logs["beat"].read_text():
        assert time.monotonic() < deadline, logs["beat"].read_text()
        time.sleep(0.5)
    for target, log in logs.items():
        lines = log_lines(log)
        records = [json.loads(line) for line in lines]  # every line, the first ones included
        assert records, target
        assert all(set(record) >= {"time", "level", "logger", "message"} for record in records)
    first = {target: json.loads(log_lines(log)[0])["logger"] for target, log in logs.items()}
    assert first["beat"] == "celery.beat"
    # Two gunicorn workers, one start: its lines said once.
    said = [json.loads(line)["logger"] for line in log_lines(logs["serve"])]
    assert said.count("config.startup") == 1


def rows(path: Path) -> int:
    return len(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()) - 1


@pytest.mark.postgres
@pytest.mark.redis
def test_a_job_accepted_while_redis_is_down_runs_once_redis_is_back(production, clone, tmp_path):
    base, redis, _ = production
    headers = {"X-API-Key": KEY}
    subprocess.run(
        [
            *(str(clone / ".venv" / "bin" / "python"), "manage.py", "generate_sample_data"),
            *("--customers", "12", "--xlsx", str(tmp_path)),
        ],
        cwd=clone,
        env=newcomer_env(),
        check=True,
        capture_output=True,
        timeout=120,
    )
    customers, loans = tmp_path / "customer_data.xlsx", tmp_path / "loan_data.xlsx"
    redis.down()
    with customers.open("rb") as customer_file, loans.open("rb") as loan_file:
        accepted = requests.post(
            f"{base}/ingest",
            files={"customers": customer_file, "loans": loan_file},
            headers=headers,
            timeout=30,
        )
    assert accepted.status_code == 202, accepted.text
    status_url = accepted.json()["status_url"]
    time.sleep(3)  # a sweep's worth: nothing can run it while the broker is away
    assert requests.get(status_url, headers=headers, timeout=10).json()["status"] == "queued"
    redis.up()  # the same port: web, worker and beat reconnect
    deadline = time.monotonic() + 120
    while (job := requests.get(status_url, headers=headers, timeout=10).json())["status"] not in (
        "succeeded",
        "failed",
    ):
        assert time.monotonic() < deadline, job
        time.sleep(0.5)
    assert (job["status"], job["errors"]) == ("succeeded", [])
    assert job["counts"] == {
        "customers": {"created": rows(customers), "updated": 0, "unchanged": 0, "rejected": 0},
        "loans": {"created": rows(loans), "updated": 0, "unchanged": 0, "rejected": 0},
    }
    time.sleep(3)  # another sweep: a finished job is never handed over again
    assert requests.get(status_url, headers=headers, timeout=10).json() == job
