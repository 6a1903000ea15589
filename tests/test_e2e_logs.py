"""One request id across processes: a spreadsheet uploaded to `make serve` with X-Request-ID is
ingested by `make worker`, and a search of both logs for that id finds the web's line and the
worker's. Both logs are JSON lines in UTC from their first line (migrate's report included)."""

import json
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from ingestion.samples import CUSTOMER_HEADERS, LOAN_HEADERS
from ingestion.tests.conftest import customer, loan
from tests.processes import (
    free_port,
    production_env,
    recreate_database,
    require_live_services,
    start,
    stop,
    wait_for_health,
)
from tests.workbooks import workbook

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "credit_e2e_ops"
KEY = "e2e-logs-client-key-0123456789"
REQUEST_ID = "upload-trace-0042"

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def log_lines(path: Path) -> list[dict[str, Any]]:
    """Every line of a log; json.loads fails the test on any line that is not one JSON object."""
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    require_live_services()  # a module fixture runs before conftest's per-test marker check
    folder = tmp_path_factory.mktemp("e2e-logs")
    port = free_port()
    env = production_env(
        database=DATABASE,
        redis_url="redis://127.0.0.1:6379/7",
        port=port,
        folder=folder,
        api_keys=KEY,
    )
    recreate_database(DATABASE)
    web = start(["make", "--no-print-directory", "serve"], env, folder / "serve.log", ROOT)
    worker = start(["make", "--no-print-directory", "worker"], env, folder / "worker.log", ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(base, 90, key=KEY)
        yield base, folder
    finally:
        stop(web)
        stop(worker)
        recreate_database(DATABASE, drop_only=True)


@pytest.fixture(scope="module")
def uploaded(stack):
    """One upload with our request id, waited for until the worker has finished it."""
    base, folder = stack
    customers = workbook(folder / "customers.xlsx", CUSTOMER_HEADERS, [customer(1), customer(2)])
    loans = workbook(folder / "loans.xlsx", LOAN_HEADERS, [loan(1, 10), loan(2, 11)])
    headers = {"X-API-Key": KEY, "X-Request-ID": REQUEST_ID}
    with customers.open("rb") as c_file, loans.open("rb") as l_file:
        answer = requests.post(
            f"{base}/ingest",
            files={"customers": c_file, "loans": l_file},
            headers=headers,
            timeout=30,
        )
    assert answer.status_code == 202, answer.text
    status_url = answer.json()["status_url"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = requests.get(status_url, headers={"X-API-Key": KEY}, timeout=5).json()
        if job["status"] == "succeeded":
            time.sleep(0.5)  # Celery's own "succeeded" line follows the job's last commit
            return job
        time.sleep(0.2)
    raise TimeoutError(f"the job did not succeed within 60 s: {job}")


def test_one_request_id_finds_the_web_line_and_the_worker_lines(stack, uploaded):
    _, folder = stack
    web = [line for line in log_lines(folder / "serve.log") if line.get("request_id") == REQUEST_ID]
    assert [(line["logger"], line["message"]) for line in web] == [
        ("core.request", "POST /ingest 202")
    ]
    worker = [
        line for line in log_lines(folder / "worker.log") if line.get("request_id") == REQUEST_ID
    ]
    # The job's own line and Celery's for the task; "received" comes before the task starts.
    assert [line["logger"] for line in worker] == ["ingestion.jobs", "celery.app.trace"]
    assert worker[0]["message"].startswith(f"Ingestion job {uploaded['job_id']} succeeded: {{")
    assert worker[1]["message"].startswith("Task ingestion.tasks.run_ingestion[")
    assert "] succeeded in " in worker[1]["message"]


def test_both_logs_are_json_lines_in_utc_without_a_banner(stack, uploaded):
    _, folder = stack
    for name in ("serve.log", "worker.log"):
        lines = log_lines(folder / name)
        assert lines, name
        assert all(line["time"].endswith("+00:00") for line in lines), name
    loggers = {line["logger"] for line in log_lines(folder / "serve.log")}
    assert {"core.management.commands.migrate", "gunicorn.error", "core.request"} <= loggers
    ready = [line["message"] for line in log_lines(folder / "worker.log")]
    assert any(message.endswith(" ready.") for message in ready)
