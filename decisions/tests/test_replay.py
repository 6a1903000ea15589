"""Replay: a recorded decision made again from its figures, under the version it recorded or
another. Thousands of generated decisions all replay to exactly what they answered."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from credit.dates import add_months
from credit.policy import LoanRequest
from customers.tests.factories import CustomerFactory
from decisions.models import CreditDecision, DecisionKind
from decisions.replay import replay
from decisions.services import check_eligibility, create_loan
from loans.models import LoanOrigin, LoanStatus
from loans.tests.factories import LoanFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)


def random_customer(rng: random.Random):
    customer = CustomerFactory.create(
        monthly_salary=Decimal(rng.randrange(5, 300) * 1000),
        approved_limit=Decimal(rng.randrange(0, 80) * 100000),
    )
    for _ in range(rng.randrange(0, 6)):
        start = TODAY - timedelta(days=rng.randrange(0, 3000))
        tenure = rng.randrange(1, 120)
        LoanFactory.create(
            customer=customer,
            loan_amount=Decimal(rng.randrange(1, 3000) * 1000),
            tenure=tenure,
            monthly_installment=Decimal(rng.randrange(0, 50000)),
            emis_paid_on_time=rng.randrange(0, tenure + 1),
            start_date=start,
            end_date=add_months(start, tenure),
            status=rng.choice([LoanStatus.ACTIVE, LoanStatus.ACTIVE, LoanStatus.CLOSED]),
            origin=rng.choice([LoanOrigin.BOOKED, LoanOrigin.IMPORTED]),
        )
    return customer


def random_request(rng: random.Random) -> LoanRequest:
    return LoanRequest(
        amount=Decimal(rng.randrange(1, 5_000_000_00)) / 100,
        interest_rate=Decimal(rng.randrange(0, 3000)) / 100,
        tenure=rng.randrange(1, 361),
    )


def test_thousands_of_generated_decisions_replay_to_exactly_what_they_answered():
    rng = random.Random(20261201)
    for _ in range(120):
        customer = random_customer(rng)
        for _ in range(18):
            decide = rng.choice([check_eligibility, create_loan])
            decide(customer.pk, random_request(rng), as_of=TODAY, requested_by="test")
    decisions = list(CreditDecision.objects.values_list("pk", flat=True))
    assert len(decisions) == 2160
    mismatched = [pk for pk in decisions if not replay(pk).matches]
    assert mismatched == []
    outcomes = set(CreditDecision.objects.values_list("approved", flat=True))
    assert outcomes == {True, False}  # both kinds of answer were replayed


def decided(api, customer, amount=100000, path="/check-eligibility"):
    body = {"customer_id": customer.pk, "loan_amount": amount, "interest_rate": 10, "tenure": 12}
    return api.post(path, body, format="json").json()["decision_id"]


def test_the_replay_endpoint_shows_both_sides(api):
    customer = CustomerFactory.create(
        monthly_salary=Decimal("100000"), approved_limit=Decimal("1000000")
    )
    decision_id = decided(api, customer)
    response = api.get(f"/decisions/{decision_id}/replay")
    assert response.status_code == 200
    outcome = {
        "approval": True,
        "credit_score": 40,
        "corrected_interest_rate": 12.00,
        "monthly_installment": 8884.88,
        "max_eligible_amount": 562753.92,
        "reason_codes": [],
    }
    assert response.json() == {
        "decision_id": decision_id,
        "policy_version": 1,
        "recorded": outcome,
        "replayed": outcome,
        "matches": True,
    }


def test_replay_under_another_version_is_a_what_if(api):
    customer = CustomerFactory.create(
        monthly_salary=Decimal("100000"), approved_limit=Decimal("1000000")
    )
    decision_id = decided(api, customer)
    stricter = api.post(
        "/policies",
        {"minimum_score": 45, "rate_floors": [{"min_score": 45, "min_rate": 12}]},
        format="json",
    ).json()["version"]
    api.post(f"/policies/{stricter}/activate")
    # Under its own version it still matches, whatever is active now.
    assert api.get(f"/decisions/{decision_id}/replay").json()["matches"] is True
    what_if = api.get(f"/decisions/{decision_id}/replay?policy={stricter}").json()
    assert (what_if["policy_version"], what_if["matches"]) == (stricter, False)
    assert what_if["replayed"]["approval"] is False
    assert what_if["replayed"]["reason_codes"] == ["credit_score_too_low"]
    assert what_if["replayed"]["max_eligible_amount"] is None


def test_a_decision_recorded_without_its_figures_is_not_replayable(api):
    customer = CustomerFactory.create()
    legacy = CreditDecision.objects.create(
        customer=customer,
        kind=DecisionKind.CHECK_ELIGIBILITY,
        loan_amount=Decimal(1000),
        interest_rate=Decimal(12),
        tenure=12,
        as_of=TODAY,
        approved=True,
        credit_score=40,
        score_breakdown={},
        rules={},
        reasons=[],
        corrected_interest_rate=Decimal(12),
        monthly_installment=Decimal("88.85"),
        policy_version_id=1,
    )
    response = api.get(f"/decisions/{legacy.pk}/replay")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_replayable"


def test_unknown_decisions_and_versions_are_404(api):
    assert api.get("/decisions/4242/replay").json()["error"]["code"] == "decision_not_found"
    decision_id = decided(api, CustomerFactory.create())
    missing = api.get(f"/decisions/{decision_id}/replay?policy=99")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "policy_not_found")
