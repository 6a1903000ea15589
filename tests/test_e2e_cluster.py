"""Two machines' worth of the service, natively, as docs/scaling.md describes it: two `make serve`
instances (two gunicorn masters, each with its workers), two `make worker`s and one `make beat`,
on one PostgreSQL database and one Redis db, sharing the uploads folder as compose's volume does.
Whatever one instance keeps, the two keep together: the approved limit and the 50% rule under 40
applications split across both, one loan per Idempotency-Key whichever instance a retry reaches,
exact counts for two uploads at once, and a job whose worker is SIGKILLed finished by the other.
"""

import os
import signal
import subprocess
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import psycopg
import pytest
import redis
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

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "credit_e2e_cluster"
REDIS_URL = "redis://127.0.0.1:6379/5"
KEY = "cluster-client-key-0123456789"
HEADERS = {"X-API-Key": KEY}

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def make(target: str) -> list[str]:
    return ["make", "--no-print-directory", target]


@dataclass
class Cluster:
    bases: list[str]
    folder: Path
    env: dict[str, str]
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def post(self, instance: int, path: str, body: Any, **headers: str) -> requests.Response:
        return requests.post(
            self.bases[instance] + path, json=body, headers={**HEADERS, **headers}, timeout=60
        )

    def get(self, instance: int, path: str) -> Any:
        answer = requests.get(self.bases[instance] + path, headers=HEADERS, timeout=30)
        assert answer.status_code == 200, (path, answer.text)
        return answer.json()

    def register(self, instance: int, income: int, phone: int) -> int:
        body = {
            "first_name": "Clu",
            "last_name": "Ster",
            "age": 35,
            "monthly_income": income,
            "phone_number": phone,
        }
        answer = self.post(instance, "/register", body)
        assert answer.status_code == 201, answer.text
        return int(answer.json()["customer_id"])

    def start_worker(self, name: str) -> None:
        env = {**self.env, "WORKER_NAME": f"{name}@cluster-{os.getpid()}"}
        self.workers[name] = start(make("worker"), env, self.worker_log(name), ROOT)

    def worker_log(self, name: str) -> Path:
        return self.folder / f"worker-{name}.log"

    def upload(self, instance: int, customers: Path, loans: Path) -> dict[str, Any]:
        with customers.open("rb") as c_file, loans.open("rb") as l_file:
            answer = requests.post(
                f"{self.bases[instance]}/ingest",
                files={"customers": c_file, "loans": l_file},
                headers=HEADERS,
                timeout=120,
            )
        assert answer.status_code == 202, answer.text
        return dict(answer.json())

    def job(self, instance: int, job_id: int) -> dict[str, Any]:
        return dict(self.get(instance, f"/ingest/{job_id}"))

    def finished(self, instance: int, job_id: int, seconds: float = 180) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            body = self.job(instance, job_id)
            if body["status"] in ("succeeded", "failed"):
                return body
            time.sleep(0.2)
        raise AssertionError(f"job {job_id} did not finish: {body}; see {self.folder}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    require_live_services()  # a module fixture runs before conftest's per-test marker check
    folder = tmp_path_factory.mktemp("e2e-cluster")
    recreate_database(DATABASE)
    redis.Redis.from_url(REDIS_URL).flushdb()  # db 5 is this test's own
    env = production_env(
        database=DATABASE,
        redis_url=REDIS_URL,
        port=0,
        folder=folder,
        api_keys=KEY,
        INGEST_BATCH_ROWS="500",
        # A killed worker's task comes back after 5 s; its claim on the job lapses after 3 s.
        CELERY_VISIBILITY_TIMEOUT="5",
        JOB_LEASE_SECONDS="3",
        JOB_SWEEP_SECONDS="2",
        CELERY_BEAT_FILE=str(folder / "beat-schedule"),
    )
    processes: list[subprocess.Popen[bytes]] = []
    bases: list[str] = []
    running = Cluster(bases, folder, env)
    try:
        for instance in range(2):  # one after the other: the first migrates, the second finds
            port = free_port()  # nothing to do (a deployment migrates once, then rolls)
            node = {**env, "PORT": str(port), "PROMETHEUS_MULTIPROC_DIR": str(folder / f"m{port}")}
            processes.append(start(make("serve"), node, folder / f"serve-{instance}.log", ROOT))
            bases.append(f"http://127.0.0.1:{port}")
            wait_for_health(bases[-1], 90, until=None)
        for name in ("alpha", "bravo"):
            running.start_worker(name)
        processes.append(start(make("beat"), env, folder / "beat.log", ROOT))
        for base in bases:
            wait_for_health(base, 60, key=KEY)  # both instances see a worker
        yield running
    finally:
        for process in [*processes, *running.workers.values()]:
            stop(process)
        recreate_database(DATABASE, drop_only=True)


def applications_at_once(cluster: Cluster, body: dict[str, Any]) -> list[requests.Response]:
    """40 identical applications at once, every other one to the other instance."""
    with ThreadPoolExecutor(max_workers=40) as pool:
        return list(pool.map(lambda i: cluster.post(i % 2, "/create-loan", body), range(40)))


def test_forty_applications_split_across_instances_never_pass_half_the_salary(cluster):
    """Salary 1,00,000: installments may total 50,000. One loan of 3,00,000 over 12 months at
    12% (26,654.64) fits; a second would make 53,309.28."""
    customer_id = cluster.register(0, income=100000, phone=9800000001)
    body = {"customer_id": customer_id, "loan_amount": 300000, "interest_rate": 12, "tenure": 12}
    answers = applications_at_once(cluster, body)
    assert sorted(answer.status_code for answer in answers) == [200] * 39 + [201]
    refusals = {answer.json()["message"] for answer in answers if answer.status_code == 200}
    assert refusals == {
        "Loan not approved: Monthly installments would total 53309.28, more than 50% of the "
        "monthly salary (50000.00)."
    }
    loans = cluster.get(1, f"/view-loans/{customer_id}")
    assert [(loan["loan_amount"], loan["monthly_installment"]) for loan in loans] == [
        (300000.00, 26654.64)
    ]


def test_forty_applications_split_across_instances_never_pass_the_limit(cluster):
    """Income 50,000: limit 18,00,000. One loan of 10,00,000 fits; two would be 20,00,000, while
    their installments (10,286.13 each over 360 months) stay under half the salary."""
    customer_id = cluster.register(1, income=50000, phone=9800000002)
    body = {"customer_id": customer_id, "loan_amount": 1000000, "interest_rate": 12, "tenure": 360}
    answers = applications_at_once(cluster, body)
    assert sorted(answer.status_code for answer in answers) == [200] * 39 + [201]
    refusals = {answer.json()["message"] for answer in answers if answer.status_code == 200}
    assert refusals == {
        "Loan not approved: Current loans plus this one would total 2000000.00, more than the "
        "approved limit (1800000.00)."
    }
    assert len(cluster.get(0, f"/view-loans/{customer_id}")) == 1


def test_an_idempotency_key_replays_on_the_other_instance(cluster):
    customer_id = cluster.register(0, income=200000, phone=9800000003)
    body = {"customer_id": customer_id, "loan_amount": 100000, "interest_rate": 12, "tenure": 12}
    first = cluster.post(0, "/create-loan", body, **{"Idempotency-Key": "cluster-once"})
    again = cluster.post(1, "/create-loan", body, **{"Idempotency-Key": "cluster-once"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    # The same key sent to both instances at once: one booking, one answer for all.
    with ThreadPoolExecutor(max_workers=10) as pool:
        racing = list(
            pool.map(
                lambda i: cluster.post(i % 2, "/create-loan", body, **{"Idempotency-Key": "race"}),
                range(10),
            )
        )
    assert {answer.status_code for answer in racing} == {201}
    assert len({answer.text for answer in racing}) == 1
    assert len(cluster.get(1, f"/view-loans/{customer_id}")) == 2


def workbook(path: Path, header: Sequence[str], rows: Iterable[list[Any]]) -> Path:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def book_of(cluster: Cluster, first: int, customers: int, loans_each: int) -> tuple[Path, Path]:
    """A lender's book: customers first … first + customers - 1, `loans_each` loans each;
    different `first`s give books with nothing in common."""
    ids = range(first, first + customers)
    return (
        workbook(
            cluster.folder / f"customers-{first}.xlsx",
            CUSTOMER_HEADERS,
            (customer(cid, phone=7_000_000_000 + cid) for cid in ids),
        ),
        workbook(
            cluster.folder / f"loans-{first}.xlsx",
            LOAN_HEADERS,
            (loan(cid, cid * 100 + n) for cid in ids for n in range(loans_each)),
        ),
    )


def test_two_uploads_at_once_on_both_instances_both_succeed_with_exact_counts(cluster):
    """Two lenders' books, disjoint: customers 10001–10300 and 20001–20300, two loans each."""
    files = [book_of(cluster, first, customers=300, loans_each=2) for first in (10001, 20001)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = list(pool.map(lambda i: cluster.upload(i, *files[i]), range(2)))
    for instance, job in enumerate(jobs):
        done = cluster.finished(1 - instance, job["job_id"])  # asked of the other instance
        assert (done["status"], done["errors"]) == ("succeeded", [])
        assert done["counts"] == {
            "customers": {"created": 300, "updated": 0, "unchanged": 0, "rejected": 0},
            "loans": {"created": 600, "updated": 0, "unchanged": 0, "rejected": 0},
        }
    assert [len(cluster.get(0, f"/view-loans/{cid}")) for cid in (10001, 10300, 20001, 20300)] == [
        2,
        2,
        2,
        2,
    ]


def received(log: Path) -> int:
    """How many ingestion tasks this worker's log says it has received."""
    if not log.exists():
        return 0
    lines = log.read_text().splitlines()
    return sum(
        "Task ingestion.tasks.run_ingestion[" in line and "received" in line for line in lines
    )


def test_a_worker_killed_mid_job_is_taken_over_by_the_other_with_exact_counts(cluster):
    first = 30001
    customers_path, loans_path = book_of(cluster, first, customers=2000, loans_each=10)
    before = {name: received(cluster.worker_log(name)) for name in cluster.workers}
    job = cluster.upload(0, customers_path, loans_path)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        body = cluster.job(1, job["job_id"])
        if body["phase"] == "loans: writing" and body["counts"]["loans"]["created"] > 0:
            break
        time.sleep(0.02)
    else:
        raise AssertionError(f"the job never reached the loans' writing phase: {body}")
    busy = [name for name in cluster.workers if received(cluster.worker_log(name)) > before[name]]
    assert len(busy) == 1, (busy, before)
    survivor = next(name for name in cluster.workers if name != busy[0])
    stop(cluster.workers[busy[0]], signal.SIGKILL)  # the whole process group, mid-write
    done = cluster.finished(1, job["job_id"])
    assert done["status"] == "succeeded", done
    assert done["counts"] == {
        "customers": {"created": 2000, "updated": 0, "unchanged": 0, "rejected": 0},
        "loans": {"created": 20000, "updated": 0, "unchanged": 0, "rejected": 0},
    }
    assert received(cluster.worker_log(survivor)) > before[survivor]  # it took the job over
    with psycopg.connect(cluster.env["DATABASE_URL"]) as connection:
        rows = connection.execute(
            "SELECT count(*), count(DISTINCT (customer_id, source_loan_id)) FROM loans_loan"
            " WHERE customer_id BETWEEN %s AND %s",
            (first, first + 1999),
        ).fetchone()
    assert rows == (20000, 20000)  # none lost, none twice
