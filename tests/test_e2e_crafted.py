"""The crafted workbook of issue 18 through POST /ingest on `make run`'s profile (runserver, the
job in a thread of the server itself, SQLite): with the bounds raised so that it reaches the
reader, the reader's child asks for 512 GiB and is refused, the job fails with a row-less
message, and the server goes on serving: its health, then the next upload, ingested."""

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from ingestion.samples import CUSTOMER_HEADERS
from ingestion.tests import bombs
from ingestion.tests.conftest import customer
from tests.processes import free_port, start, stop, wait_for_health
from tests.workbooks import workbook

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def wait(status_url: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body = requests.get(status_url, timeout=10).json()
        if body["status"] in ("succeeded", "failed"):
            return dict(body)
        time.sleep(0.2)
    raise AssertionError(f"the job did not finish: {body}")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "INGEST_DIR": str(tmp_path / "uploads"),
        # Wide enough for the crafted cell at XFD1048576 to pass the check and reach calamine.
        "INGEST_MAX_COLUMNS": "16384",
        "INGEST_MAX_ROWS": "1048576",
        "INGEST_READER_MEMORY_MB": "1024",
    }
    python = sys.executable
    migrate = start([python, "manage.py", "migrate", "-v0"], env, tmp_path / "migrate.log", ROOT)
    assert migrate.wait(timeout=120) == 0
    port = free_port()
    command = [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    process = start(command, env, tmp_path / "server.log", ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(base, 60, until=None)
        yield base
    finally:
        stop(process)


def upload(base: str, path: Path) -> dict[str, Any]:
    with path.open("rb") as file:
        answer = requests.post(f"{base}/ingest", files={"customers": file}, timeout=30)
    assert answer.status_code == 202, answer.text
    return wait(answer.json()["status_url"])


def test_the_crafted_workbook_fails_its_job_and_the_server_serves_on(server, tmp_path):
    failed = upload(server, bombs.single_quoted_far_cell(tmp_path / "far.xlsx"))
    assert failed["status"] == "failed"
    assert failed["errors"] == [
        {
            "file": "customers",
            "row": None,
            "column": None,
            "message": "Reading the file needs more than 1024 MB of memory "
            "(INGEST_READER_MEMORY_MB).",
        }
    ]
    assert requests.get(f"{server}/health", timeout=10).status_code == 200
    good = workbook(tmp_path / "good.xlsx", CUSTOMER_HEADERS, [customer(1)])
    ingested = upload(server, good)
    assert ingested["status"] == "succeeded"
    assert ingested["counts"]["customers"]["created"] == 1
