"""A live console for the browser tests and the screenshots: its own database and processes.

On the embedded default (SQLite, background work in a thread of the server) it is `manage.py
runserver`; on PostgreSQL with Redis it is the production stack, `make serve` (gunicorn) and
`make worker` (Celery), on the database credit_e2e_console and Redis db 9, names no other test
uses (each pytest-xdist worker past the first has its own: credit_e2e_console_gw1 on Redis db 3,
and so on). NUM_PROXIES=1 lets each browser context say its address in X-Forwarded-For, so the
lockout test locks its own address and no other test's."""

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.processes import (
    free_port,
    production_env,
    recreate_database,
    start,
    stop,
    wait_for_health,
)

ROOT = Path(__file__).resolve().parents[2]
# Redis databases no other test uses, one per pytest-xdist worker (gw0, gw1, ...).
_REDIS_DBS = (9, 3, 4, 1)
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
DATABASE = "credit_e2e_console" + (f"_gw{_WORKER}" if _WORKER else "")
REDIS_DB = f"redis://127.0.0.1:6379/{_REDIS_DBS[_WORKER % len(_REDIS_DBS)]}"
PASSWORD = "e2e-console-password-2026"


@dataclass(frozen=True)
class LiveConsole:
    base: str
    env: dict[str, str]

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def staff(self, name: str, role: str) -> None:
        self.manage("create_staff_user", name, "--role", role)


def _embedded_env(folder: Path, port: int) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{folder / 'console.sqlite3'}",
        "INGEST_DIR": str(folder / "ingest"),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    return env


@contextmanager
def live_console(folder: Path, *, production: bool) -> Iterator[LiveConsole]:
    """The console running, migrated, with STAFF_PASSWORD set for create_staff_user."""
    port = free_port()
    if production:
        env = production_env(
            database=DATABASE,
            redis_url=REDIS_DB,
            port=port,
            folder=folder,
            api_keys="e2e-console-client-key-0123456789",
            STATIC_ROOT=str(folder / "static"),
            LOG_LEVEL="WARNING",
        )
        recreate_database(DATABASE)
    else:
        env = _embedded_env(folder, port)
    # Four eyes on under runserver too (signed-in people are told apart): the referral test.
    env = {**env, "NUM_PROXIES": "1", "STAFF_PASSWORD": PASSWORD, "FOUR_EYES": "true"}
    console = LiveConsole(f"http://127.0.0.1:{port}", env)
    console.manage("migrate", "-v0")
    if production:
        processes = [
            start(["make", "--no-print-directory", "serve"], env, folder / "serve.log", ROOT),
            start(["make", "--no-print-directory", "worker"], env, folder / "worker.log", ROOT),
        ]
    else:
        server = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
        processes = [start(server, env, folder / "runserver.log", ROOT)]
    try:
        wait_for_health(console.base, 120)
        yield console
    finally:
        for process in processes:
            stop(process)
        if production:
            recreate_database(DATABASE, drop_only=True)
