from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction

from credit.money import to_paise
from customers.tests.factories import CustomerFactory
from decisions.models import CreditDecision
from loans.tests.factories import LoanFactory

pytestmark = pytest.mark.django_db


def apply(api, customer, path="/check-eligibility", amount=100000):
    body = {"customer_id": customer.pk, "loan_amount": amount, "interest_rate": 14, "tenure": 12}
    return api.post(path, body, format="json").json()


def test_every_decision_is_stored_with_inputs_score_rules_and_reasons(api):
    customer = CustomerFactory.create()
    answered = apply(api, customer, amount=99999999)
    response = api.get(f"/decisions/{answered['decision_id']}")
    assert response.status_code == 200
    record = CreditDecision.objects.get()
    assert response.json() == {
        "decision_id": record.pk,
        "customer_id": customer.pk,
        "kind": "check_eligibility",
        "inputs": {"loan_amount": 99999999.00, "interest_rate": 14.00, "tenure": 12},
        "as_of": "2026-06-15",
        "approved": False,
        "credit_score": 40,
        "score_breakdown": {
            "repayment_on_time": 0.00,
            "loans_taken": 0.00,
            "current_year_activity": 25.00,
            "approved_volume": 15.00,
        },
        "rules": {
            "credit_score_too_low": True,
            "emi_over_half_salary": False,
            "approved_limit_exceeded": False,
        },
        "reasons": answered["reasons"],
        "corrected_interest_rate": 14.00,
        "monthly_installment": 8978711.67,
        "policy_version": 1,
        "loan_id": None,
        "requested_by": "",
        "created_at": response.json()["created_at"],
    }
    assert [reason["code"] for reason in answered["reasons"]] == [
        "emi_over_half_salary",
        "approved_limit_exceeded",
    ]


SCENARIOS = {
    # (path, amount): an approval, and a refusal on both rules, for each kind of decision.
    "eligible": ("/check-eligibility", 100000),
    "not eligible": ("/check-eligibility", 99999999),
    "booked": ("/create-loan", 100000),
    "refused": ("/create-loan", 99999999),
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_audit_trail_holds_each_decision_as_it_was_answered(api, scenario):
    path, amount = SCENARIOS[scenario]
    customer = CustomerFactory.create()
    answered = apply(api, customer, path=path, amount=amount)
    record = CreditDecision.objects.get(pk=answered["decision_id"])
    assert (record.customer_id, record.loan_amount, record.tenure) == (
        customer.pk,
        Decimal(amount),
        12,
    )
    assert record.monthly_installment == Decimal(str(answered["monthly_installment"]))
    if path == "/check-eligibility":
        assert (record.kind, record.approved) == ("check_eligibility", answered["approval"])
        assert record.reasons == answered["reasons"]
        assert record.credit_score == answered["credit_score"]
        assert record.corrected_interest_rate == Decimal(str(answered["corrected_interest_rate"]))
        assert {
            factor: to_paise(Decimal(points)) for factor, points in record.score_breakdown.items()
        } == {
            factor: Decimal(str(points)) for factor, points in answered["score_breakdown"].items()
        }
    else:
        assert (record.kind, record.approved) == ("create_loan", answered["loan_approved"])
        assert record.loan_id == answered["loan_id"]
        assert answered["message"] == (
            "Loan approved."
            if record.approved
            else "Loan not approved: " + " ".join(reason["message"] for reason in record.reasons)
        )
    assert record.approved is (amount == 100000)


def test_a_booked_loan_is_linked_from_its_decision(api):
    customer = CustomerFactory.create()
    booked = apply(api, customer, path="/create-loan")
    record = api.get(f"/decisions/{booked['decision_id']}").json()
    assert (record["kind"], record["approved"], record["loan_id"]) == (
        "create_loan",
        True,
        booked["loan_id"],
    )


def test_customer_decisions_are_paginated_newest_first(api):
    customer = CustomerFactory.create()
    answered = [apply(api, customer, amount=1000 + n)["decision_id"] for n in range(3)]
    apply(api, CustomerFactory.create())  # someone else's
    page = api.get(f"/customers/{customer.pk}/decisions?page_size=2").json()
    assert page["count"] == 3
    assert [d["decision_id"] for d in page["results"]] == [answered[2], answered[1]]
    assert page["previous"] is None
    assert page["next"].endswith(f"/customers/{customer.pk}/decisions?page=2&page_size=2")
    rest = api.get(f"/customers/{customer.pk}/decisions/?page=2&page_size=2").json()
    assert [d["decision_id"] for d in rest["results"]] == [answered[0]]
    assert rest["next"] is None


def test_unknown_decisions_and_customers_are_404(api):
    assert api.get("/decisions/12345").json()["error"]["code"] == "decision_not_found"
    assert api.get("/customers/12345/decisions").json()["error"]["code"] == "customer_not_found"
    assert api.get(f"/customers/{CustomerFactory.create().pk}/decisions?page=9").status_code == 404


def test_the_database_refuses_to_change_a_decision(api):
    apply(api, CustomerFactory.create())
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        CreditDecision.objects.update(credit_score=99)
    record = CreditDecision.objects.get()
    record.approved = False
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        record.save()
    assert CreditDecision.objects.get().credit_score == 40


@pytest.mark.postgres
def test_the_database_refuses_to_delete_a_decision(api):
    apply(api, CustomerFactory.create())
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        CreditDecision.objects.all().delete()
    assert CreditDecision.objects.count() == 1


def test_admin_shows_decisions_payments_and_schedules_read_only(api, client, admin_user):
    loan = LoanFactory.create()
    apply(api, loan.customer)
    client.force_login(admin_user)
    schedule_page = client.get(f"/admin/loans/loan/{loan.pk}/change/").content.decode()
    assert "<td>2026-07-15</td><td>8791.59</td><td>833.33</td><td>7958.26</td>" in schedule_page
    # A loan's terms and state are shown, never offered for editing.
    for field in ("customer", "tenure", "start_date", "end_date", "status", "origin"):
        assert f'name="{field}"' not in schedule_page, field
    decision = CreditDecision.objects.get()
    assert client.get(f"/admin/decisions/creditdecision/{decision.pk}/change/").status_code == 200
    assert client.get("/admin/decisions/creditdecision/add/").status_code == 403
    assert client.post(f"/admin/decisions/creditdecision/{decision.pk}/delete/").status_code == 403
    assert client.get("/admin/loans/payment/").status_code == 200
