"""What the end-to-end tests and the benchmarks share: free ports, their own PostgreSQL databases,
processes started in their own group so that stopping one stops its children too, and a wait for
/health. Standard library and psycopg only: `make bench` runs without the dev requirements."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def require_live_services() -> None:
    """Skip (or fail, with REQUIRE_SERVICES=1) unless PostgreSQL and Redis are configured.

    A module-scoped fixture runs before conftest's per-test marker check: call this first in
    one, so that nothing is started (no database re-created, no server) only to be skipped.
    Imported here, not at the top: the benchmarks use this module without pytest or Django."""
    from django.db import connection

    from conftest import require_or_skip

    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        require_or_skip("needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def recreate_database(
    name: str, drop_only: bool = False, admin_url: str = ADMIN_URL, template: str | None = None
) -> None:
    """Drop the database `name` (ending its sessions) and, unless drop_only, create it empty (or
    as a copy of `template`), through the maintenance database at admin_url (on the server that
    holds `name`).

    Only for databases the caller owns: the e2e tests' credit_e2e_* and the benchmarks'
    credit_bench* and credit_ab_*."""
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if drop_only:
            return
        create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        connection.execute(create)


PRODUCTION_SECRET_KEY = "e2e-" + "x9Kq2LmP7vRt4WzY8bNc3HdF6gJs1QaE5uIo0" * 2


def production_env(
    *, database: str, redis_url: str, port: int, folder: Path, api_keys: str, **overrides: str
) -> dict[str, str]:
    """What `make serve` and `make worker` read in an end-to-end test: production settings on
    the test's own database and Redis db, with none of the developer's API switches."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DEBUG": "false",
        "SECRET_KEY": PRODUCTION_SECRET_KEY,
        "API_KEYS": api_keys,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "REDIS_URL": redis_url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics"),
        "INGEST_DIR": str(folder / "ingest"),
    }
    for name in ("API_THROTTLE_RATE", "ALLOW_ANONYMOUS", "METRICS_PUBLIC", "HTTPS"):
        env.pop(name, None)
    return {**env, **overrides}


def start(command: list[str], env: dict[str, str], log: Path, cwd: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a signal reaches its children too
        )


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def read_health(base: str, key: str | None = None) -> dict[str, Any] | None:
    """GET {base}/health (with `key`, its details): its JSON body (a 503 has one too), None
    while nothing answers."""
    headers = {"X-API-Key": key} if key else {}
    request = urllib.request.Request(f"{base}/health", headers=headers)  # noqa: S310 (local)
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 (local)
            return dict(json.load(answer))
    except urllib.error.HTTPError as failed:
        try:
            return dict(json.load(failed))
        except ValueError:
            return None
    except (OSError, ValueError):  # still booting
        return None


def wait_for_health(
    base: str, seconds: float, until: str | None = "ok", key: str | None = None
) -> dict[str, Any]:
    """Poll /health until its status is `until` ("ok": database, Redis and a worker all up), or
    with until=None until it answers at all; raise TimeoutError after `seconds`."""
    deadline = time.monotonic() + seconds
    body: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        body = read_health(base, key)
        if body is not None and (until is None or body.get("status") == until):
            return body
        time.sleep(0.2)
    wanted = f"status {until!r}" if until else "an answer"
    raise TimeoutError(f"{base}/health gave no {wanted} within {seconds:g} s: last {body}")


class PrivateRedis:
    """A redis-server of the test's own on a free port, keeping nothing on disk: the test stops
    it (down), or freezes it (pause: it still accepts connections, and answers nothing)."""

    def __init__(self, folder: Path) -> None:
        self.port, self.folder = free_port(), folder
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def up(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(50):
            ping = subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True
            )
            if ping.stdout.strip() == "PONG":
                return
            time.sleep(0.1)
        raise TimeoutError("the private redis-server did not start")

    def pause(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def down(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)  # a paused server would never end
        self.process.terminate()
        self.process.wait(10)
