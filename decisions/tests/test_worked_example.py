"""docs/credit-policy.md's worked example, step by step through the API: the score, the two
applications and their counter-offers, a stricter draft, its what-if replay and simulation, and
the decision made once it is active. The document quotes these exact figures."""

from datetime import date
from decimal import Decimal

import pytest

from credit.dates import add_months
from customers.tests.factories import CustomerFactory
from loans.models import LoanOrigin
from loans.tests.factories import LoanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    """Earns 1,00,000 a month, limit 36,00,000; loan A completed, loan B current (today is
    2026-06-15)."""
    customer = CustomerFactory.create(
        monthly_salary=Decimal(100000), approved_limit=Decimal(3600000)
    )
    for amount, tenure, installment, on_time, start in (
        (200000, 35, "7000.00", 30, date(2020, 1, 10)),
        (300000, 12, "26654.64", 4, date(2026, 2, 1)),
    ):
        LoanFactory.create(
            customer=customer,
            loan_amount=Decimal(amount),
            tenure=tenure,
            interest_rate=Decimal(11),
            monthly_installment=Decimal(installment),
            emis_paid_on_time=on_time,
            start_date=start,
            end_date=add_months(start, tenure),
            origin=LoanOrigin.IMPORTED,
        )
    return customer


def apply(api, customer, amount):
    body = {"customer_id": customer.pk, "loan_amount": amount, "interest_rate": 11, "tenure": 24}
    return api.post("/check-eligibility", body, format="json").json()


SCORE = {
    "credit_score": 68,
    "score_breakdown": {
        "repayment_on_time": 30.51,
        "loans_taken": 5.00,
        "current_year_activity": 18.75,
        "approved_volume": 13.75,
    },
}


def test_the_two_applications_and_their_counter_offers(api, customer):
    approved = apply(api, customer, 500000)
    assert approved | SCORE == approved
    assert (approved["approval"], approved["monthly_installment"]) == (True, 23303.92)
    assert (approved["max_eligible_amount"], approved["min_tenure_months"]) == (500889.24, 24)
    refused = apply(api, customer, 1500000)
    assert refused | SCORE == refused
    assert (refused["approval"], refused["monthly_installment"]) == (False, 69911.76)
    assert refused["reasons"] == [
        {
            "code": "emi_over_half_salary",
            "message": "Monthly installments would total 96566.40, more than 50% of the "
            "monthly salary (50000.00).",
        }
    ]
    assert (refused["max_eligible_amount"], refused["min_tenure_months"]) == (500889.24, 98)
    # The capacity, booked, is approved; a paisa more is refused.
    assert apply(api, customer, "500889.24")["approval"] is True
    assert apply(api, customer, "500889.25")["approval"] is False


def test_a_stricter_version_replayed_simulated_and_activated(
    api, customer, run_inline, django_capture_on_commit_callbacks
):
    approved = apply(api, customer, 500000)["decision_id"]
    apply(api, customer, 1500000)
    draft = api.post("/policies", {"max_emi_share_of_salary": "0.4"}, format="json").json()
    version = draft["version"]  # 2 on a fresh database, as the document says
    assert (draft["status"], draft["based_on"]) == ("draft", 1)

    what_if = api.get(f"/decisions/{approved}/replay?policy={version}").json()
    assert (what_if["policy_version"], what_if["matches"]) == (version, False)
    assert what_if["replayed"] == {
        "approval": False,
        "credit_score": 68,
        "corrected_interest_rate": 11.00,
        "monthly_installment": 23303.92,
        "max_eligible_amount": 286333.06,
        "reason_codes": ["emi_over_half_salary"],
    }

    window = {"policy": version, "from": "2026-06-15", "to": "2026-06-15"}
    with django_capture_on_commit_callbacks(execute=True):
        simulation = api.post("/policy-simulations", window, format="json").json()
    report = api.get(f"/policy-simulations/{simulation['simulation_id']}").json()["report"]
    assert report == {
        "decisions": 2,
        "approved_before": 1,
        "approved_after": 0,
        "approved_to_refused": 1,
        "refused_to_approved": 0,
        "flips_by_reason": {
            "emi_over_half_salary": {"approved_to_refused": 1, "refused_to_approved": 0}
        },
        "flips_by_score_band": {"60-69": {"approved_to_refused": 1, "refused_to_approved": 0}},
        "approved_amount_before": 500000.00,
        "approved_amount_after": 0.00,
        "average_corrected_rate_before": 11.00,
        "average_corrected_rate_after": None,
    }

    assert api.post(f"/policies/{version}/activate").json()["status"] == "active"
    assert api.get("/policies/1").json()["status"] == "retired"
    now = apply(api, customer, 500000)
    assert (now["approval"], now["max_eligible_amount"], now["min_tenure_months"]) == (
        False,
        286333.06,
        47,
    )
    assert now["reasons"][0]["message"] == (
        "Monthly installments would total 49958.56, more than 40% of the monthly salary (40000.00)."
    )
    # The first decision still replays to what it answered, under the version it recorded.
    assert api.get(f"/decisions/{approved}/replay").json()["matches"] is True
