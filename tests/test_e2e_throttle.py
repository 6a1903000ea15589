"""The rate limit under a burst, against the live production server (two gunicorn workers of
four threads, one Redis): 900 requests on 40 concurrent connections against 300/min let at
most 300 through, and every refusal says when to come back."""

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
import requests

from tests.processes import (
    free_port,
    production_env,
    recreate_database,
    require_live_services,
    start,
    stop,
    wait_for_health,
)

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "credit_e2e_throttle"
REDIS_URL = "redis://127.0.0.1:6379/10"
KEY = "e2e-throttle-key-0123456789abcdef"
RATE, REQUESTS, CONNECTIONS = 300, 900, 40

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_live_services()
    folder = tmp_path_factory.mktemp("e2e-throttle")
    port = free_port()
    env = production_env(
        database=DATABASE,
        redis_url=REDIS_URL,
        port=port,
        folder=folder,
        api_keys=KEY,
        API_THROTTLE_RATE=f"{RATE}/min",
    )
    recreate_database(DATABASE)
    redis.Redis.from_url(REDIS_URL).flushdb()  # db 10 is this test's own
    web = start(["make", "--no-print-directory", "serve"], env, folder / "serve.log", ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(base, 90, until=None)
        yield base
    finally:
        stop(web)
        recreate_database(DATABASE, drop_only=True)


def test_a_burst_from_many_connections_never_passes_the_rate(server):
    local = threading.local()
    start_together = threading.Barrier(CONNECTIONS)

    def send(index: int) -> requests.Response:
        if not hasattr(local, "session"):
            local.session = requests.Session()
            start_together.wait()
        url = f"{server}/view-loans/1"
        answer: requests.Response = local.session.get(url, headers={"X-API-Key": KEY}, timeout=30)
        return answer

    with ThreadPoolExecutor(CONNECTIONS) as pool:
        answers = list(pool.map(send, range(REQUESTS)))
    through = [answer for answer in answers if answer.status_code != 429]
    refused = [answer for answer in answers if answer.status_code == 429]
    assert {answer.status_code for answer in through} == {404}
    assert len(through) == RATE
    assert len(refused) == REQUESTS - RATE
    assert all(1 <= int(answer.headers["Retry-After"]) <= 60 for answer in refused)
    assert {answer.json()["error"]["code"] for answer in refused} == {"throttled"}
