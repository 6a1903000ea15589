"""Redis, the broker, goes down under the live production stack (`make serve`, `make worker`,
`make beat` on PostgreSQL and a private redis-server of this test's own): /health stays a 200
(degraded) and never a 500; an upload accepted meanwhile is kept, queued, and runs once Redis
is back, handed over again by the sweep beat schedules."""

import time
from pathlib import Path

import pytest
import requests

from ingestion.samples import CUSTOMER_HEADERS
from ingestion.tests.conftest import customer
from tests.processes import (
    PrivateRedis,
    free_port,
    production_env,
    read_health,
    recreate_database,
    require_live_services,
    start,
    stop,
    wait_for_health,
)
from tests.workbooks import workbook

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "credit_e2e_outage"
KEY = "e2e-outage-key-0123456789abcdef"

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    require_live_services()
    folder = tmp_path_factory.mktemp("e2e-outage")
    redis = PrivateRedis(folder)
    redis.up()
    port = free_port()
    env = production_env(
        database=DATABASE,
        redis_url=f"redis://127.0.0.1:{redis.port}/0",
        port=port,
        folder=folder,
        api_keys=KEY,
        JOB_LEASE_SECONDS="3",
        JOB_SWEEP_SECONDS="2",
        CELERY_BEAT_FILE=str(folder / "beat-schedule"),
    )
    recreate_database(DATABASE)
    processes = [
        start(["make", "--no-print-directory", target], env, folder / f"{target}.log", ROOT)
        for target in ("serve", "worker", "beat")
    ]
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(base, 90, key=KEY)
        yield base, redis
    finally:
        for process in processes:
            stop(process)
        if redis.process and redis.process.poll() is None:
            redis.down()
        recreate_database(DATABASE, drop_only=True)


def test_an_upload_while_redis_is_down_is_kept_and_runs_once_it_is_back(stack, tmp_path):
    base, redis = stack
    headers = {"X-API-Key": KEY}
    redis.down()
    health = requests.get(f"{base}/health", headers=headers, timeout=10)
    assert health.status_code == 200
    assert (health.json()["status"], health.json()["checks"]["redis"]) == (
        "degraded",
        "unreachable",
    )
    sheet = workbook(tmp_path / "customers.xlsx", CUSTOMER_HEADERS, [customer(1), customer(2)])
    with sheet.open("rb") as spreadsheet:
        accepted = requests.post(
            f"{base}/ingest", files={"customers": spreadsheet}, headers=headers, timeout=30
        )
    assert accepted.status_code == 202, accepted.text
    status_url = accepted.json()["status_url"]
    assert requests.get(status_url, headers=headers, timeout=10).json()["status"] == "queued"
    redis.up()  # the same port: web, worker and beat reconnect
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        body = requests.get(status_url, headers=headers, timeout=10).json()
        if body["status"] == "succeeded":
            break
        time.sleep(0.5)
    assert body["status"] == "succeeded", body
    assert body["counts"]["customers"]["created"] == 2
    assert wait_for_health(base, 30, key=KEY)["checks"]["redis"] == "ok"
    assert read_health(base, KEY) is not None
