"""The OpenAPI document says what the code enforces: schemathesis draws requests from it against
`make serve` (PostgreSQL, an API key) and checks both sides. Every request the document holds
valid is accepted (positive_data_acceptance: answered 2xx, or 404 for an id that names nothing,
409 for what the resource's state refuses, 429), and every one it holds invalid is refused with
a 4xx (negative_data_rejection); never a 5xx. What the document cannot say of one request is
given to the valid ones by tests/schemathesis_hooks.py: a fresh Idempotency-Key each."""

import os
import subprocess
from datetime import date
from pathlib import Path

import pytest

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
DATABASE = "credit_e2e_schema"
KEY = "schema-client-key-0123456789abcdef"
# Examples per operation in the fuzzing phase; with the examples and coverage phases about a
# minute and a half on this machine (docs/deployment.md#openapi).
MAX_EXAMPLES = "60"

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

# A rule between two fields that no schema can state (a simulation's window ending before it
# starts, a payment's reference its mode needs) is a 422, and only there
# (core.contract.InconsistentInput): schemathesis's own prescription (`st explain ST202`), for
# those operations alone.
CONFIG = """
[[operations]]
include-name = "POST /policy-simulations"
checks.positive_data_acceptance.expected-statuses = [
    "2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx",
]

[[operations]]
include-name = "POST /loans/{loan_id}/payments"
checks.positive_data_acceptance.expected-statuses = [
    "2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx",
]
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_live_services()  # a module fixture runs before conftest's per-test marker check
    folder = tmp_path_factory.mktemp("schema")
    port = free_port()
    env = production_env(
        database=DATABASE,
        redis_url="redis://127.0.0.1:6379/8",
        port=port,
        folder=folder,
        api_keys=KEY,
        STATIC_ROOT=str(folder / "static"),
    )
    recreate_database(DATABASE)
    web = start(["make", "--no-print-directory", "serve"], env, folder / "serve.log", ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(base, 90, until=None)
        yield base, folder
    finally:
        stop(web)
        recreate_database(DATABASE, drop_only=True)


def write_workbooks(folder: Path) -> Path:
    """One customer and one loan, as the original files hold them (ingestion.samples)."""
    from ingestion.samples import Plan, write_xlsx

    books = folder / "workbooks"
    customers, loans = write_xlsx(Plan(customers=1, loans_per_customer=1), books, date(2026, 6, 1))
    customers.rename(books / "customers.xlsx")
    loans.rename(books / "loans.xlsx")
    return books


@pytest.mark.django_db
def test_the_document_says_what_the_code_enforces(server):
    base, folder = server
    (folder / "schemathesis.toml").write_text(CONFIG)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SCHEMATHESIS_HOOKS": "tests.schemathesis_hooks",
        "FUZZ_WORKBOOKS": str(write_workbooks(folder)),
    }
    result = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "st"),
            "--config-file",
            str(folder / "schemathesis.toml"),
            "run",
            f"{base}/api/schema?format=json",
            "--header",
            f"X-API-Key: {KEY}",
            "--checks",
            "positive_data_acceptance,negative_data_rejection,not_a_server_error",
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            "18",
            "--phases",
            "examples,coverage,fuzzing",
            "--generation-database",
            "none",
            "--request-timeout",
            "10",
            "--no-color",
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=480,
    )
    (folder / "schemathesis.txt").write_text(result.stdout)
    # The failures, before the long warnings; a request body may be long (a workbook): cut.
    failures = result.stdout.partition("= FAILURES =")[2].partition("= WARNINGS =")[0]
    shown = "\n".join(line[:300] for line in failures.splitlines())
    assert result.returncode == 0, shown[:10000] + result.stderr[-2000:]
