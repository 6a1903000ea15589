"""End to end on real processes: `runserver` and a `celery worker` on PostgreSQL and Redis.

The original files go in through POST /ingest and every row is checked through the public
endpoints against the files themselves; then a worker is SIGKILLed mid-job and a new one
finishes it with exact counts.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from python_calamine import CalamineWorkbook

from conftest import TODAY
from credit.money import from_spreadsheet, to_paise
from ingestion.samples import Plan, write_xlsx
from ingestion.tests.conftest import SHARED_DATA
from tests.processes import (
    free_port,
    recreate_database,
    require_live_services,
    start,
    stop,
    wait_for_health,
)

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "credit_e2e_ingest"
REDIS_URL = "redis://127.0.0.1:6379/12"

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def python(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return start([sys.executable, *args], env, log, ROOT)


class Stack:
    def __init__(self, env: dict[str, str], base: str, logs: Path) -> None:
        self.env, self.base, self.logs = env, base, logs
        self.workers: list[subprocess.Popen[bytes]] = []

    def worker(self) -> subprocess.Popen[bytes]:
        name = f"e2e-ingest-{len(self.workers)}-{os.getpid()}@%h"
        args = ["-m", "celery", "-A", "config", "worker", "--concurrency", "1", "-n", name]
        process = python([*args, "--loglevel", "INFO"], self.env, self.logs / "worker.log")
        self.workers.append(process)
        return process

    def sql(self, query: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.env["DATABASE_URL"], autocommit=True) as connection:
            return connection.execute(query).fetchall()

    def upload(self, customers: Path, loans: Path) -> dict[str, Any]:
        with customers.open("rb") as c_file, loans.open("rb") as l_file:
            answer = requests.post(
                f"{self.base}/ingest", files={"customers": c_file, "loans": l_file}, timeout=60
            )
        assert answer.status_code == 202, answer.text
        return dict(answer.json())

    def get_all(self, paths: list[str]) -> list[Any]:
        """Many GETs at once over kept-alive connections (one session per thread)."""
        local = threading.local()

        def get(path: str) -> Any:
            if not hasattr(local, "session"):
                local.session = requests.Session()
            answer = local.session.get(f"{self.base}{path}", timeout=30)
            assert answer.status_code == 200, (path, answer.text)
            return answer.json()

        with ThreadPoolExecutor(max_workers=4) as pool:
            return list(pool.map(get, paths))

    def wait(self, job: dict[str, Any], timeout: float = 120) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            body = requests.get(job["status_url"], timeout=10).json()
            if body["status"] in ("succeeded", "failed"):
                return dict(body)
            time.sleep(0.2)
        raise AssertionError(f"job did not finish: {body}; see {self.logs}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    require_live_services()  # a module fixture runs before conftest's per-test marker check
    logs = tmp_path_factory.mktemp("e2e-ingest")
    recreate_database(DATABASE)
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("API_KEYS", "REQUIRE_SERVICES")},
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        "REDIS_URL": REDIS_URL,
        "INGEST_DIR": str(logs / "uploads"),
        "INGEST_BATCH_ROWS": "500",
        # A killed worker's task comes back after 5 s; its claim on the job lapses after 3 s.
        "CELERY_VISIBILITY_TIMEOUT": "5",
        "JOB_LEASE_SECONDS": "3",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    port = free_port()
    # gunicorn rather than runserver: its workers keep their database connection.
    server = python(
        ["-m", "gunicorn", "config.wsgi", "-w", "3", "-b", f"127.0.0.1:{port}"],
        env,
        logs / "server.log",
    )
    base = f"http://127.0.0.1:{port}"
    running = Stack(env, base, logs)
    try:
        wait_for_health(base, 60, until=None)  # no worker yet: any answer will do
        yield running
    finally:
        for process in [server, *running.workers]:
            stop(process)
        recreate_database(DATABASE, drop_only=True)


@pytest.fixture
def empty(stack: Stack) -> Stack:
    with psycopg.connect(stack.env["DATABASE_URL"], autocommit=True) as connection:
        connection.execute(
            "TRUNCATE loans_loan, customers_customer, ingestion_ingestionjob CASCADE"
        )
    return stack


def sheet(path: Path) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[1:]


def money(value: Any) -> Decimal:
    """A money cell as the ingestion stores it."""
    return to_paise(from_spreadsheet(value))


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason=f"{SHARED_DATA} is absent (CI has it)")
def test_the_original_files_through_the_api(empty: Stack) -> None:
    customers_path = SHARED_DATA / "customer_data.xlsx"
    loans_path = SHARED_DATA / "loan_data.xlsx"
    customers, loans = sheet(customers_path), sheet(loans_path)
    worker = empty.worker()
    job = empty.wait(empty.upload(customers_path, loans_path))
    assert job["status"] == "succeeded", job
    assert job["errors"] == []
    assert job["counts"]["customers"]["created"] == len(customers)
    assert job["counts"]["loans"]["created"] == len(loans)
    assert job["progress"] == {"processed_rows": len(customers) + len(loans),
                               "total_rows": len(customers) + len(loans)}  # fmt: skip

    # Every customer, with the file's salary and limit (no public endpoint shows those).
    stored = {row[0]: row[1:] for row in empty.sql(
        "SELECT id, first_name, last_name, age, phone_number, monthly_salary, approved_limit"
        " FROM customers_customer")}  # fmt: skip
    assert stored == {
        int(cid): (first, last, int(age), int(phone), money(salary), money(limit))
        for cid, first, last, age, phone, salary, limit in customers
    }
    # Every loan through /view-loans, and through /view-loan by the id the file gives it.
    expected: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    ids_used: dict[int, int] = defaultdict(int)
    for row in loans:
        ids_used[int(row[1])] += 1
    fresh = {(w["row"]): int(w["message"].rsplit(" ", 1)[1].rstrip(".")) for w in job["warnings"]}
    assert len(fresh) == sum(n for n in ids_used.values() if n > 1)
    loan_ids = []
    for number, (cid, lid, amount, tenure, rate, emi, _on_time, began, end) in enumerate(loans, 2):
        loan_id = fresh.get(number, int(lid))
        assert (loan_id == int(lid)) == (ids_used[int(lid)] == 1)
        loan_ids.append(loan_id)
        expected[int(cid)].append(
            (loan_id, money(amount), int(tenure), money(rate), money(emi), str(began), str(end))
        )
    details = empty.get_all([f"/view-loan/{loan_id}" for loan_id in loan_ids])
    for (cid, _lid, amount, *_rest), detail in zip(loans, details, strict=True):
        assert detail["customer"]["id"] == int(cid)
        assert Decimal(str(detail["loan_amount"])) == money(amount)
    listings = empty.get_all([f"/view-loans/{cid}" for cid in stored])
    for cid, listed in zip(stored, listings, strict=True):
        got = sorted(
            (item["loan_id"], Decimal(str(item["loan_amount"])), item["tenure"],
             Decimal(str(item["interest_rate"])), Decimal(str(item["monthly_installment"])),
             item["start_date"], item["end_date"])
            for item in listed
        )  # fmt: skip
        assert got == sorted(expected.get(cid, []))

    again = empty.wait(empty.upload(customers_path, loans_path))
    assert again["counts"] == {
        "customers": {"created": 0, "updated": 0, "unchanged": len(customers), "rejected": 0},
        "loans": {"created": 0, "updated": 0, "unchanged": len(loans), "rejected": 0},
    }
    assert empty.sql("SELECT COUNT(*) FROM loans_loan") == [(len(loans),)]
    stop(worker)


def test_bad_rows_are_reported_and_good_rows_land(empty: Stack, tmp_path: Path) -> None:
    import openpyxl

    from ingestion.samples import CUSTOMER_HEADERS, LOAN_HEADERS

    def book(name: str, header: tuple[str, ...], rows: list[list[Any]]) -> Path:
        workbook = openpyxl.Workbook()
        for row in [list(header), *rows]:
            workbook.active.append(row)
        workbook.save(tmp_path / name)
        return tmp_path / name

    customers = book("c.xlsx", CUSTOMER_HEADERS, [
        [1.0, "Ann", "Lee", 30.0, 9000000001.0, 50000.0, 1800000.0],
        [2.0, "Bob", "Roy", 40.0, 9000000002.0, -5000.0, 0.0],
    ])  # fmt: skip
    loans = book("l.xlsx", LOAN_HEADERS, [
        [1.0, 11.0, 1000.0, 12.0, 9.5, 90.0, 1.0, "2024-01-01", "2025-01-01"],
        [1.0, 12.0, "ten", 12.0, 9.5, 90.0, 1.0, "2024-01-01", "2025-01-01"],
        [7.0, 13.0, 1000.0, 12.0, 9.5, 90.0, 1.0, "2024-01-01", "2025-01-01"],
        [1.0, 14.0, 1000.0, 12.0, 9.5, 90.0, 1.0, "2024-02-30", "2025-01-01"],
    ])  # fmt: skip
    worker = empty.worker()
    job = empty.wait(empty.upload(customers, loans))
    assert job["status"] == "succeeded"
    assert [(e["file"], e["row"], e["column"]) for e in job["errors"]] == [
        ("customers", 3, "Monthly Salary"),
        ("loans", 3, "Loan Amount"),
        ("loans", 4, "Customer ID"),
        ("loans", 5, "Date of Approval"),
    ]
    assert requests.get(f"{empty.base}/view-loan/11", timeout=10).status_code == 200
    assert requests.get(f"{empty.base}/view-loans/2", timeout=10).status_code == 404
    stop(worker)


def test_an_upload_over_a_limit_fails_in_seconds_and_the_worker_serves_the_next(
    empty: Stack, tmp_path: Path
) -> None:
    from ingestion.tests import bombs

    worker = empty.worker()
    started = time.monotonic()
    bomb = bombs.compressed_millions(tmp_path / "bomb.xlsx")
    failed = empty.wait(empty.upload(bomb, bombs.far_away_cell(tmp_path / "far.xlsx")))
    assert failed["status"] == "failed"
    assert failed["errors"] == [
        {
            "file": "customers",
            "row": None,
            "column": None,
            "message": "The sheet reaches row 2000001: at most 2000000 rows are read "
            "(INGEST_MAX_ROWS).",
        }
    ]
    assert time.monotonic() - started < 60
    good = tmp_path / "good.xlsx"
    import openpyxl

    from ingestion.samples import CUSTOMER_HEADERS, LOAN_HEADERS

    for path, header in ((good, CUSTOMER_HEADERS), (tmp_path / "none.xlsx", LOAN_HEADERS)):
        workbook = openpyxl.Workbook()
        workbook.active.append(list(header))
        if path == good:
            workbook.active.append(bombs.GOOD_ROW)
        workbook.save(path)
    served = empty.wait(empty.upload(good, tmp_path / "none.xlsx"))
    assert (served["status"], served["counts"]["customers"]["created"]) == ("succeeded", 1)
    assert worker.poll() is None  # the same worker, still up
    stop(worker)


@pytest.mark.django_db  # the sample generator reads the active policy's limit rule
def test_killing_the_worker_mid_job_loses_and_duplicates_nothing(
    empty: Stack, tmp_path: Path
) -> None:
    plan = Plan(customers=2000, loans_per_customer=10, seed=3)
    customers_path, loans_path = write_xlsx(plan, tmp_path, TODAY)
    loans = sheet(loans_path)
    first = empty.worker()
    job = empty.upload(customers_path, loans_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body = requests.get(job["status_url"], timeout=10).json()
        if body["phase"] == "loans: writing" and body["counts"]["loans"]["created"] > 0:
            break
        time.sleep(0.02)
    else:
        raise AssertionError(f"the job never reached the loans' writing phase: {body}")
    assert body["status"] == "running", body
    stop(first, signal.SIGKILL)
    assert body["progress"]["processed_rows"] < body["progress"]["total_rows"]
    empty.worker()  # Redis hands it the unacknowledged task once the visibility timeout passes
    done = empty.wait(job, timeout=120)
    assert done["status"] == "succeeded", done
    assert done["counts"] == {
        "customers": {"created": 2000, "updated": 0, "unchanged": 0, "rejected": 0},
        "loans": {"created": len(loans), "updated": 0, "unchanged": 0, "rejected": 0},
    }
    assert done["progress"]["processed_rows"] == 2000 + len(loans)
    assert empty.sql("SELECT COUNT(*), COUNT(DISTINCT (customer_id, source_loan_id))"
                     " FROM loans_loan") == [(len(loans), len(loans))]  # fmt: skip
    assert empty.sql("SELECT COUNT(*) FROM customers_customer") == [(2000,)]
