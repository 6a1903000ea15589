"""Concurrent create-loan requests for one customer, on a live server with real threads and
PostgreSQL row locks: together they can never pass the approved limit or the 50% rule."""

import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import requests

from customers.tests.factories import CustomerFactory
from decisions.models import CreditDecision
from loans.models import Loan

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

CONCURRENT_REQUESTS = 20


def fire_together(url: str, body: Mapping[str, object]) -> list[requests.Response]:
    start = threading.Barrier(CONCURRENT_REQUESTS)

    def apply(_: int) -> requests.Response:
        start.wait()
        return requests.post(url, json=body, timeout=60)

    with ThreadPoolExecutor(CONCURRENT_REQUESTS) as pool:
        return list(pool.map(apply, range(CONCURRENT_REQUESTS)))


def assert_each_answer_is_on_the_record(customer, responses: list[requests.Response]) -> None:
    """Exactly one decision per request, with the answer's outcome and booked loan."""
    answered = {
        (body["decision_id"], body["loan_approved"], body["loan_id"])
        for body in (response.json() for response in responses)
    }
    recorded = set(
        CreditDecision.objects.filter(customer=customer).values_list("id", "approved", "loan_id")
    )
    assert answered == recorded
    assert len(recorded) == CONCURRENT_REQUESTS


def test_concurrent_applications_never_pass_the_approved_limit(live_server):
    customer = CustomerFactory.create(
        monthly_salary=Decimal(200000), approved_limit=Decimal(1000000)
    )
    body = {"customer_id": customer.pk, "loan_amount": 250000, "interest_rate": 16, "tenure": 12}
    responses = fire_together(f"{live_server.url}/create-loan", body)

    assert sorted(r.status_code for r in responses) == [200] * 16 + [201] * 4
    loans = Loan.objects.filter(customer=customer)
    assert sum(loan.loan_amount for loan in loans) == Decimal("1000000.00")
    assert sum(loan.monthly_installment for loan in loans) == Decimal("90730.84")
    assert len({r.json()["loan_id"] for r in responses if r.status_code == 201}) == 4
    assert_each_answer_is_on_the_record(customer, responses)


def test_concurrent_applications_never_pass_half_the_salary(live_server):
    customer = CustomerFactory.create(
        monthly_salary=Decimal(100000), approved_limit=Decimal(10000000)
    )
    body = {"customer_id": customer.pk, "loan_amount": 300000, "interest_rate": 16, "tenure": 12}
    responses = fire_together(f"{live_server.url}/create-loan/", body)

    assert sorted(r.status_code for r in responses) == [200] * 19 + [201]
    refused = [r.json() for r in responses if r.status_code == 200]
    assert all("more than 50% of the monthly salary" in r["message"] for r in refused)
    assert Loan.objects.filter(customer=customer).count() == 1
    assert_each_answer_is_on_the_record(customer, responses)
