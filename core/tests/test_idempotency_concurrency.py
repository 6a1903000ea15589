"""20 concurrent create-loan requests with one Idempotency-Key against a live server on
PostgreSQL: one loan, and every caller gets the same response (the retries wait and replay)."""

import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import requests

from core.models import IdempotencyRecord
from customers.tests.factories import CustomerFactory
from loans.models import Loan

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

CONCURRENT_REQUESTS = 20
KEY = "9f1c2a7e-concurrent-create-loan"


def fire_together(url: str, body: Mapping[str, object], key: str) -> list[requests.Response]:
    start = threading.Barrier(CONCURRENT_REQUESTS)

    def apply(_: int) -> requests.Response:
        start.wait()
        return requests.post(url, json=body, headers={"Idempotency-Key": key}, timeout=60)

    with ThreadPoolExecutor(CONCURRENT_REQUESTS) as pool:
        return list(pool.map(apply, range(CONCURRENT_REQUESTS)))


def test_one_key_twenty_concurrent_requests_book_one_loan_and_answer_alike(live_server):
    customer = CustomerFactory.create(
        monthly_salary=Decimal(200000), approved_limit=Decimal(10000000)
    )
    body = {"customer_id": customer.pk, "loan_amount": 100000, "interest_rate": 12, "tenure": 12}
    responses = fire_together(f"{live_server.url}/create-loan", body, KEY)

    loan = Loan.objects.get(customer=customer)
    assert [r.status_code for r in responses] == [201] * CONCURRENT_REQUESTS
    assert len({r.content for r in responses}) == 1
    first = responses[0].json()
    assert {k: first[k] for k in ("loan_id", "customer_id", "loan_approved", "message")} == {
        "loan_id": loan.pk,
        "customer_id": customer.pk,
        "loan_approved": True,
        "message": "Loan approved.",
    }
    assert first["monthly_installment"] == 8884.88
    replayed = sorted(r.headers.get("Idempotent-Replayed", "") for r in responses)
    assert replayed == [""] + ["true"] * (CONCURRENT_REQUESTS - 1)
    assert IdempotencyRecord.objects.get().response_body == responses[0].text

    other = requests.post(
        f"{live_server.url}/create-loan",
        json={**body, "loan_amount": 200000},
        headers={"Idempotency-Key": KEY},
        timeout=60,
    )
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert Loan.objects.filter(customer=customer).count() == 1
