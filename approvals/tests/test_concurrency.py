"""Twenty approvers approving one referral at the same moment, on a live server with real
threads and PostgreSQL row locks: the loan is booked once, the others are told it is decided."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from approvals.models import ApprovalRequest
from approvals.tests.conftest import make_key
from decisions.models import CreditDecision
from loans.models import Loan

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("four_eyes", "line"),
]

CONCURRENT_APPROVALS = 20


def test_twenty_concurrent_approvals_book_the_loan_exactly_once(live_server, customer):
    maker = make_key("olga", "officer")
    approvers = [make_key(f"approver-{n}", "approver") for n in range(CONCURRENT_APPROVALS)]
    body = {"customer_id": customer.pk, "loan_amount": 600000, "interest_rate": 10, "tenure": 36}
    referral = requests.post(
        f"{live_server.url}/create-loan", json=body, headers={"X-API-Key": maker}, timeout=60
    )
    assert referral.status_code == 202
    approve = f"{live_server.url}/approvals/{referral.json()['approval_id']}/approve"
    start = threading.Barrier(CONCURRENT_APPROVALS)

    def approve_as(key: str) -> requests.Response:
        start.wait()
        return requests.post(approve, json={}, headers={"X-API-Key": key}, timeout=60)

    with ThreadPoolExecutor(CONCURRENT_APPROVALS) as pool:
        responses = list(pool.map(approve_as, approvers))

    assert sorted(r.status_code for r in responses) == [200] + [409] * 19
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {
        "already_decided"
    }
    loan = Loan.objects.get(customer=customer)
    approval = ApprovalRequest.objects.get()
    winner = next(r.json() for r in responses if r.status_code == 200)
    assert approval.status == "approved"
    assert approval.outcome is not None
    assert approval.outcome["loan_id"] == loan.pk
    assert winner["checker"] == approval.checker
    assert CreditDecision.objects.filter(kind="referral_approved").count() == 1


def test_two_referrals_approved_at_once_never_both_book(live_server, customer):
    """Each fits alone, not both: whichever approval takes the customer's lock second lapses."""
    makers = [make_key("olga", "officer"), make_key("omar", "officer")]
    body = {"customer_id": customer.pk, "loan_amount": 600000, "interest_rate": 10, "tenure": 36}
    ids = [
        requests.post(
            f"{live_server.url}/create-loan", json=body, headers={"X-API-Key": key}, timeout=60
        ).json()["approval_id"]
        for key in makers
    ]
    approvers = [make_key("asha", "approver"), make_key("ravi", "approver")]
    start = threading.Barrier(2)

    def approve(pair: tuple[int, str]) -> requests.Response:
        approval_id, key = pair
        start.wait()
        url = f"{live_server.url}/approvals/{approval_id}/approve"
        return requests.post(url, json={}, headers={"X-API-Key": key}, timeout=60)

    with ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(approve, zip(ids, approvers, strict=True)))

    assert sorted(r.status_code for r in responses) == [200, 409]
    assert Loan.objects.filter(customer=customer).count() == 1
    assert sorted(ApprovalRequest.objects.values_list("status", flat=True)) == [
        "approved",
        "lapsed",
    ]
