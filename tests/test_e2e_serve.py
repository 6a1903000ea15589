"""End to end, natively, what docker compose runs: `make serve` (gunicorn, production settings)
and `make worker` (celery) on PostgreSQL and Redis; then schemathesis fuzzes the live schema."""

import json
import subprocess
import time
from pathlib import Path

import psycopg
import pytest
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
DATABASE = "credit_e2e_serve"
KEY = "e2e-client-key-0123456789abcdef"

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def make(target: str) -> list[str]:
    return ["make", "--no-print-directory", target]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_live_services()  # a module fixture runs before conftest's per-test marker check
    folder = tmp_path_factory.mktemp("e2e")
    port = free_port()
    env = production_env(
        database=DATABASE,
        redis_url="redis://127.0.0.1:6379/11",
        port=port,
        folder=folder,
        api_keys=f"another-client-key-0123456,{KEY}",
    )
    recreate_database(DATABASE)
    web = start(make("serve"), env, folder / "serve.log", ROOT)
    worker = start(make("worker"), env, folder / "worker.log", ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(base, 90)
        yield base, folder
    finally:
        stop(web)
        stop(worker)
        recreate_database(DATABASE, drop_only=True)


def test_health_is_open_and_every_part_is_up(server):
    base, _ = server
    # Each gunicorn process pings the worker on its own (0.5 s timeout, remembered for 5 s):
    # on a loaded machine one ping can miss, so poll as a readiness probe would.
    body = wait_for_health(base, 20, key=KEY)
    assert body["checks"] == {"database": "ok", "redis": "ok", "worker": "ok"}
    assert body["counts"] == {"customers": 0, "loans": 0}
    stranger = requests.get(f"{base}/health", timeout=5)
    assert stranger.status_code == 200
    assert set(stranger.json()) == {"status", "database"}  # no version, checks or counts


@pytest.mark.parametrize(
    "path", ["/view-loans/1", "/view-loan/1", "/api/schema", "/api/docs", "/metrics"]
)
def test_everything_else_needs_the_right_key(server, path):
    base, _ = server
    assert requests.get(f"{base}{path}", timeout=5).status_code == 401
    wrong = requests.get(f"{base}{path}", headers={"X-API-Key": KEY[:-1]}, timeout=5)
    assert wrong.status_code == 401  # core/auth.py: a wrong key is refused with 401, never 403
    right = requests.get(f"{base}{path}", headers={"X-API-Key": KEY}, timeout=5)
    assert right.status_code in {200, 404}


def test_metrics_add_up_over_the_workers(server):
    base, _ = server
    headers = {"X-API-Key": KEY}
    for _ in range(6):
        requests.get(f"{base}/view-loan/99", headers=headers, timeout=5)
    text = requests.get(f"{base}/metrics", headers=headers, timeout=5).text
    line = (
        'credit_http_requests_total{endpoint="/view-loan/<id:loan_id>",method="GET",status="404"}'
    )
    counts = [float(row.split()[-1]) for row in text.splitlines() if row.startswith(line)]
    assert counts
    assert counts[0] >= 6


def test_logs_are_json_lines_with_the_request_id(server):
    base, folder = server
    requests.get(f"{base}/health", headers={"X-Request-ID": "e2e-probe-1"}, timeout=5)
    time.sleep(0.5)
    text = (folder / "serve.log").read_text()
    lines = [json.loads(row) for row in text.splitlines()]  # every line is one JSON object
    assert any(line.get("request_id") == "e2e-probe-1" for line in lines)
    assert KEY not in text


def test_schemathesis_finds_no_server_error_and_no_schema_violation(server):
    base, folder = server
    result = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "st"),
            "run",
            f"{base}/api/schema?format=json",
            "--header",
            f"X-API-Key: {KEY}",
            "--checks",
            "not_a_server_error,response_schema_conformance,content_type_conformance",
            "--max-examples",
            "20",
            "--seed",
            "4",
            "--phases",
            "examples,coverage,fuzzing",
            "--generation-database",
            "none",
            "--request-timeout",
            "10",
            "--no-color",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_a_policy_simulation_runs_through_the_worker(server):
    base, _ = server
    headers = {"X-API-Key": KEY}
    # The fuzzing before may have activated any version: decide under version 1.
    requests.post(f"{base}/policies/1/activate", headers=headers, timeout=10)
    days, mine = set(), set()
    for n in range(3):
        customer = {"first_name": "Sim", "last_name": f"Ulation{n}", "age": 30,
                    "monthly_income": 50000, "phone_number": 9555500000 + n}  # fmt: skip
        registered = requests.post(f"{base}/register", json=customer, headers=headers, timeout=10)
        application = {"customer_id": registered.json()["customer_id"], "loan_amount": 1000,
                       "interest_rate": 12, "tenure": 12}  # fmt: skip
        decided = requests.post(
            f"{base}/check-eligibility", json=application, headers=headers, timeout=10
        ).json()
        assert (decided["approval"], decided["credit_score"]) == (True, 40)
        mine.add(str(decided["decision_id"]))
        path = f"{base}/decisions/{decided['decision_id']}"
        record = requests.get(path, headers=headers, timeout=10)
        days.add(record.json()["as_of"])
    (day,) = days
    stricter = {"minimum_score": 45, "rate_floors": [{"min_score": 45, "min_rate": 12}]}
    draft = requests.post(f"{base}/policies", json=stricter, headers=headers, timeout=10)
    asked = {"policy": draft.json()["version"], "from": day, "to": day}
    accepted = requests.post(f"{base}/policy-simulations", json=asked, headers=headers, timeout=10)
    assert accepted.status_code == 202, accepted.text
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body = requests.get(accepted.json()["status_url"], headers=headers, timeout=10).json()
        if body["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.3)
    assert body["status"] == "succeeded", body
    # Today's decisions: these three thin files, and whatever the fuzzing before decided.
    report, progress = body["report"], body["progress"]
    assert progress["processed"] == progress["total"] == report["decisions"] >= 3
    assert report["flips_by_reason"]["credit_score_too_low"]["approved_to_refused"] >= 3
    flips = requests.get(body["flips_url"], headers=headers, timeout=10)
    assert flips.headers["Content-Type"] == "text/csv"
    flipped = {line.split(",")[0]: line.split(",")[5:7] for line in flips.text.splitlines()}
    assert all(flipped[decision] == ["approved", "refused"] for decision in mine)


def test_a_database_restart_costs_at_most_a_503_per_connection_never_a_500(server):
    """Without CONN_HEALTH_CHECKS a connection the database dropped fails its next request;
    that request must say 503 (retry), and the connection must be replaced after it, so no
    connection fails twice. Last in this module: connections no request reached stay stale."""
    base, _ = server
    url = f"{base}/view-loans/987654321"  # no such customer: a read that writes nothing
    headers = {"X-API-Key": KEY}
    for _ in range(20):  # every worker thread opens its connection
        requests.get(url, headers=headers, timeout=5)
    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
        dropped = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s",
            (DATABASE,),
        ).fetchone()
    assert dropped is not None
    assert dropped[0] > 0
    statuses = [requests.get(url, headers=headers, timeout=5) for _ in range(40)]
    assert {r.status_code for r in statuses} <= {404, 503}
    failed = [r for r in statuses if r.status_code == 503]
    assert len(failed) <= dropped[0]
    assert all(r.json()["error"]["code"] == "service_unavailable" for r in failed)
    assert all(r.headers["Retry-After"] == "1" for r in failed)
