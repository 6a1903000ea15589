"""The read replica, end to end: `make serve` with DATABASE_REPLICA_URL on a second PostgreSQL
database. Nothing replicates between the two here, which is the point: what a response shows
says which database answered it. The replica holds a loan the primary does not (a "marker");
the primary gets loans the replica never sees."""

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from psycopg import sql

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
PRIMARY, REPLICA = "credit_e2e_replica", "credit_e2e_replica_copy"
WRITER, READER = "replica-writer-key-0123456789", "replica-reader-key-0123456789"
STICKY_SECONDS = 3
MARKER_AMOUNT = 777777

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def url(database: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{database}"


@dataclass
class Service:
    base: str
    customer_id: int

    def call(self, key: str, method: str, path: str, body: Any = None) -> requests.Response:
        headers = {"X-API-Key": key}
        return requests.request(method, self.base + path, json=body, headers=headers, timeout=10)

    def loan_amounts(self, key: str) -> list[float]:
        answer = self.call(key, "GET", f"/view-loans/{self.customer_id}")
        assert answer.status_code == 200, answer.text
        return sorted(loan["loan_amount"] for loan in answer.json())


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    require_live_services()
    folder = tmp_path_factory.mktemp("e2e-replica")
    port = free_port()
    env = production_env(
        database=PRIMARY,
        redis_url="redis://127.0.0.1:6379/6",
        port=port,
        folder=folder,
        api_keys=f"{WRITER},{READER}",
        DATABASE_REPLICA_URL=url(REPLICA),
        DATABASE_REPLICA_STICKY_SECONDS=str(STICKY_SECONDS),
    )
    recreate_database(PRIMARY)
    recreate_database(REPLICA, drop_only=True)
    migrate = start(
        [".venv/bin/python", "manage.py", "migrate", "-v0"], env, folder / "m.log", ROOT
    )
    assert migrate.wait(timeout=120) == 0, (folder / "m.log").read_text()
    with psycopg.connect(url(PRIMARY), autocommit=True) as primary:
        inserted = primary.execute(
            "INSERT INTO customers_customer (first_name, last_name, age, phone_number,"
            " monthly_salary, approved_limit, origin, created_at, updated_at)"
            " VALUES ('Rep', 'Lica', 40, 9123456780, 100000, 3600000, 'api', now(), now())"
            " RETURNING id"
        ).fetchone()
        assert inserted is not None
        customer_id = inserted[0]
        # The replica starts as a copy of the primary, then gets a loan of its own.
        primary.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(REPLICA), sql.Identifier(PRIMARY)
            )
        )
    with psycopg.connect(url(REPLICA), autocommit=True) as replica:
        replica.execute(
            "INSERT INTO loans_loan (id, customer_id, loan_amount, tenure, interest_rate,"
            " monthly_installment, emis_paid_on_time, installments_paid, start_date, end_date,"
            " status, origin, created_at, updated_at)"
            " VALUES (900001, %s, %s, 12, 12, 69104.38, 0, 0, now(),"
            " now() + interval '1 year', 'active', 'booked', now(), now())",
            (customer_id, MARKER_AMOUNT),
        )
    web = start(["make", "--no-print-directory", "serve"], env, folder / "serve.log", ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(base, 90, until=None)
        yield Service(base, customer_id)
    finally:
        stop(web)
        recreate_database(REPLICA, drop_only=True)
        recreate_database(PRIMARY, drop_only=True)


APPLICATION = {"loan_amount": 100000, "interest_rate": 12, "tenure": 12}


def test_reads_go_to_the_replica_and_a_writer_reads_its_own_writes(service: Service) -> None:
    assert service.loan_amounts(WRITER) == [MARKER_AMOUNT]  # the replica answered
    booked = service.call(
        WRITER, "POST", "/create-loan", {"customer_id": service.customer_id, **APPLICATION}
    )
    assert booked.status_code == 201, booked.text
    loan_id = booked.json()["loan_id"]
    # The writer now reads the primary: its new loan, not the replica's marker.
    assert service.loan_amounts(WRITER) == [100000.00]
    assert service.call(WRITER, "GET", f"/view-loan/{loan_id}").status_code == 200
    # Another client still reads the replica, which has not seen the loan.
    assert service.loan_amounts(READER) == [MARKER_AMOUNT]
    assert service.call(READER, "GET", f"/view-loan/{loan_id}").status_code == 404
    # Once the sticky seconds are out, the writer is back on the replica.
    time.sleep(STICKY_SECONDS + 0.5)
    assert service.loan_amounts(WRITER) == [MARKER_AMOUNT]


def test_decisions_always_read_the_primary(service: Service) -> None:
    """The replica's marker loan (EMI 69,104.38) would break the 50% rule; the primary's
    history is what a decision reads, whoever asks."""
    body = {"customer_id": service.customer_id, **APPLICATION}
    answer = service.call(READER, "POST", "/check-eligibility", body)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["approval"], answer.json()["reasons"]) == (True, [])
