"""The policy's versions through the API: drafts, validation, activation, immutability."""

from typing import Any

import pytest
from django.db import DatabaseError, transaction
from django.test import override_settings

from customers.tests.factories import CustomerFactory
from decisions.models import CreditDecision
from policies.models import PolicyStatus, PolicyVersion

pytestmark = pytest.mark.django_db

VERSION_ONE: dict[str, Any] = {
    "version": 1,
    "status": "active",
    "weights": {
        "repayment_on_time": 35.00,
        "loans_taken": 25.00,
        "current_year_activity": 25.00,
        "approved_volume": 15.00,
    },
    "completed_loans_for_full_marks": 5,
    "loans_this_year_to_lose_all": 4,
    "rate_floors": [
        {"min_score": 51, "min_rate": 0.00},
        {"min_score": 30, "min_rate": 12.00},
        {"min_score": 10, "min_rate": 16.00},
    ],
    "minimum_score": 10,
    "max_emi_share_of_salary": 0.5,
    "limit_multiplier": 36.00,
    "limit_rounding": 100000,
    "refer_above_amount": None,
    "counter_offer_step": 1000,
    "max_age_at_maturity": None,
    "based_on": None,
    "created_by": "migration",
    "activated_by": "migration",
}


def without_times(body):
    return {key: value for key, value in body.items() if key not in ("created_at", "activated_at")}


def test_version_one_holds_the_parameters_the_code_held(api):
    listed = api.get("/policies").json()["results"]
    assert [without_times(version) for version in listed] == [VERSION_ONE]
    assert without_times(api.get("/policies/1").json()) == VERSION_ONE
    assert b'"max_emi_share_of_salary":0.5000' in api.get("/policies/1").content


def test_a_draft_starts_from_the_active_version_with_the_changes(api):
    response = api.post(
        "/policies",
        {"weights": {"repayment_on_time": 40, "approved_volume": 10}, "minimum_score": 15},
        format="json",
    )
    assert response.status_code == 201
    draft = response.json()
    assert draft["version"] > 1  # the server's next id: 2 on a fresh database
    assert without_times(draft) == {
        **VERSION_ONE,
        "version": draft["version"],
        "status": "draft",
        "weights": {**VERSION_ONE["weights"], "repayment_on_time": 40.00, "approved_volume": 10.00},
        "minimum_score": 15,
        "based_on": 1,
        "created_by": "",
        "activated_by": "",
    }
    assert draft["activated_at"] is None
    based_on_draft = api.post(
        "/policies", {"based_on": draft["version"], "minimum_score": 20}, format="json"
    )
    assert (based_on_draft.json()["based_on"], based_on_draft.json()["weights"]) == (
        draft["version"],
        draft["weights"],
    )


SCORE_AND_RATE = ("min_score", "min_rate")


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"weights": {"loans_taken": 30}}, {"weights": ["Must add up to 100, not 105.00."]}),
        (
            {"rate_floors": [{"min_score": 30, "min_rate": 12}, {"min_score": 51, "min_rate": 0}]},
            {
                "rate_floors.1.min_score": [
                    "Slabs go from the best score down: each min_score lower."
                ],
                "rate_floors.1.min_rate": ["A lower slab may not borrow at a lower min_rate."],
            },
        ),
        (
            {"rate_floors": [{"min_score": 51, "min_rate": 14}, {"min_score": 10, "min_rate": 12}]},
            {"rate_floors.1.min_rate": ["A lower slab may not borrow at a lower min_rate."]},
        ),
        (  # every slab out of order is named, not the first only
            {
                "rate_floors": [
                    {"min_score": 50, "min_rate": 10},
                    {"min_score": 60, "min_rate": 12},
                    {"min_score": 70, "min_rate": 11},
                ]
            },
            {
                "rate_floors.1.min_score": [
                    "Slabs go from the best score down: each min_score lower."
                ],
                "rate_floors.2.min_score": [
                    "Slabs go from the best score down: each min_score lower."
                ],
                "rate_floors.2.min_rate": ["A lower slab may not borrow at a lower min_rate."],
            },
        ),
        ({"rate_floors": []}, {"rate_floors": ["At least one slab is needed."]}),
        (
            {"rate_floors": [{"min_score": 101, "min_rate": 0}]},
            {"rate_floors.0.min_score": ["Ensure this value is less than or equal to 100."]},
        ),
        (
            {"minimum_score": 5},
            {
                "minimum_score": [
                    "Must be at least the lowest slab's min_score (10), so that every score lent "
                    "to has a rate floor."
                ]
            },
        ),
        ({"max_emi_share_of_salary": 0}, {"max_emi_share_of_salary": ["Must be greater than 0."]}),
        (
            {"max_emi_share_of_salary": "1.01"},
            {"max_emi_share_of_salary": ["Ensure this value is less than or equal to 1."]},
        ),
        (
            {"limit_rounding": "0.5"},
            {"limit_rounding": ["Ensure that there are no more than 0 decimal places."]},
        ),
        ({"minimum_scor": 5}, {"minimum_scor": ["Not a parameter of the policy."]}),
        ({"based_on": 99}, None),
    ],
)
def test_a_draft_is_validated_as_a_whole_with_field_errors(api, changes, fields):
    """A change malformed in itself is a 400 (the OpenAPI document refuses it too); one that
    makes, with the base version, a set breaking a rule between parameters is a 409."""
    response = api.post("/policies", changes, format="json")
    if fields is None:
        assert (response.status_code, response.json()["error"]["code"]) == (404, "policy_not_found")
    else:
        # The rules between parameters; a slab's order is named at the slab's own field.
        slab_order = {f"rate_floors.{row}.{name}" for row in (1, 2) for name in SCORE_AND_RATE}
        between = {"weights", "rate_floors", "minimum_score", *slab_order} >= set(fields)
        expected = (409, "conflict") if between else (400, "validation_error")
        assert (response.status_code, response.json()["error"]["code"]) == expected
        assert response.json()["error"]["fields"] == fields
    assert PolicyVersion.objects.count() == 1


def test_a_draft_may_be_edited_and_deleted_but_nothing_else_may(api):
    draft = api.post("/policies", {"minimum_score": 12}, format="json").json()["version"]
    edited = api.patch(f"/policies/{draft}", {"limit_multiplier": 30}, format="json")
    assert (
        edited.status_code,
        edited.json()["limit_multiplier"],
        edited.json()["minimum_score"],
    ) == (
        200,
        30.00,
        12,
    )
    for response in (
        api.patch("/policies/1", {"minimum_score": 12}, format="json"),
        api.delete("/policies/1"),
    ):
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "policy_not_a_draft"
    assert api.delete(f"/policies/{draft}").status_code == 204
    assert api.get(f"/policies/{draft}").status_code == 404


def test_activating_retires_the_version_before_and_a_retired_one_may_return(api):
    draft = api.post("/policies", {"minimum_score": 12}, format="json").json()["version"]
    with override_settings(API_KEYS=[]):
        activated = api.post(f"/policies/{draft}/activate").json()
    assert (activated["status"], activated["activated_at"] is not None) == ("active", True)
    assert dict(PolicyVersion.objects.values_list("pk", "status")) == {
        1: "retired",
        draft: "active",
    }
    back = api.post("/policies/1/activate").json()
    assert back["status"] == "active"
    assert dict(PolicyVersion.objects.values_list("pk", "status")) == {
        1: "active",
        draft: "retired",
    }
    assert api.post("/policies/1/activate").json()["status"] == "active"  # already: no change
    assert api.post("/policies/99/activate").status_code == 404


def test_each_decision_is_made_and_recorded_under_the_active_version(api):
    customer = CustomerFactory.create()  # thin file: score 40
    application = {
        "customer_id": customer.pk,
        "loan_amount": 1000,
        "interest_rate": 10,
        "tenure": 12,
    }
    before = api.post("/check-eligibility", application, format="json").json()
    assert before["corrected_interest_rate"] == 12.00
    slabs = [
        {"min_score": 51, "min_rate": 0},
        {"min_score": 30, "min_rate": 14},
        {"min_score": 10, "min_rate": 18},
    ]
    draft = api.post("/policies", {"rate_floors": slabs}, format="json").json()["version"]
    api.post(f"/policies/{draft}/activate")
    after = api.post("/check-eligibility", application, format="json").json()
    assert after["corrected_interest_rate"] == 14.00
    recorded = CreditDecision.objects.order_by("id").values_list("policy_version", flat=True)
    assert list(recorded) == [1, draft]


def test_an_age_cap_refuses_a_tenure_ending_past_it_with_the_reason_and_a_shorter_offer(api):
    customer = CustomerFactory.create(age=57)
    draft = api.post(
        "/policies", {"max_age_at_maturity": 65, "counter_offer_step": 500}, format="json"
    ).json()
    assert (draft["max_age_at_maturity"], draft["counter_offer_step"]) == (65, 500)
    api.post(f"/policies/{draft['version']}/activate")
    application = {"customer_id": customer.pk, "loan_amount": 100000, "interest_rate": 12}
    refused = api.post("/check-eligibility", {**application, "tenure": 97}, format="json")
    assert refused.json()["approval"] is False
    assert refused.json()["reasons"] == [
        {
            "code": "age_at_maturity_exceeded",
            "message": "Age at maturity would be 65 years 1 month, more than the policy's "
            "maximum of 65 years.",
        }
    ]
    assert refused.json()["min_tenure_months"] == 3
    at_cap = api.post("/check-eligibility", {**application, "tenure": 96}, format="json")
    assert at_cap.json()["approval"] is True
    record = CreditDecision.objects.order_by("id").first()
    assert record is not None
    assert record.figures is not None
    assert (record.figures["age"], record.rules["age_at_maturity_exceeded"]) == (57, False)


def test_registration_takes_the_limit_from_the_active_version(api):
    draft = api.post(
        "/policies", {"limit_multiplier": 10, "limit_rounding": 1000}, format="json"
    ).json()["version"]
    api.post(f"/policies/{draft}/activate")
    body = {
        "first_name": "A",
        "last_name": "B",
        "age": 30,
        "monthly_income": 12345,
        "phone_number": 9876543210,
    }
    assert api.post("/register", body, format="json").json()["approved_limit"] == 123000.00


def test_only_the_risk_role_manages_policies(api):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("api_key", "create", "desk", "--role", "officer", stdout=out)
    officer = out.getvalue().splitlines()[-1]
    assert api.get("/policies", HTTP_X_API_KEY=officer).status_code == 403


def test_the_database_refuses_to_change_a_version_out_of_draft():
    active = PolicyVersion.objects.get(pk=1)
    active.parameters = {**active.parameters, "minimum_score": 0}
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        active.save()
    active.refresh_from_db()
    active.status = PolicyStatus.DRAFT
    with pytest.raises(DatabaseError, match=r"immutable|draft again"), transaction.atomic():
        active.save()
    assert PolicyVersion.objects.get(pk=1).parameters["minimum_score"] == 10


@pytest.mark.postgres
def test_the_database_refuses_to_delete_a_version_out_of_draft():
    with pytest.raises(DatabaseError, match="cannot be deleted"), transaction.atomic():
        PolicyVersion.objects.filter(pk=1).delete()
    assert PolicyVersion.objects.filter(pk=1).exists()


def test_at_most_one_version_is_active():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyVersion.objects.create(status=PolicyStatus.ACTIVE, parameters={})


def test_a_null_parameter_keeps_the_base_versions_value(api):
    nulls = {"weights": None, "rate_floors": None, "minimum_score": None, "based_on": None}
    draft = api.post("/policies", {**nulls, "limit_rounding": 999999999}, format="json")
    assert draft.status_code == 201
    assert (draft.json()["weights"], draft.json()["limit_rounding"]) == (
        VERSION_ONE["weights"],
        999999999,
    )


def test_a_draft_that_simulations_refer_to_is_kept_with_a_409(api):
    draft = api.post("/policies", {"minimum_score": 20}, format="json").json()["version"]
    window = {"policy": draft, "from": "2026-06-01", "to": "2026-06-30"}
    assert api.post("/policy-simulations", window, format="json").status_code == 202
    refused = api.delete(f"/policies/{draft}")
    assert (refused.status_code, refused.json()["error"]) == (
        409,
        {
            "code": "policy_in_use",
            "message": f"Policy version {draft} has simulations that refer to it: it is kept "
            "with them.",
            "fields": {},
        },
    )
    assert PolicyVersion.objects.filter(pk=draft).exists()
