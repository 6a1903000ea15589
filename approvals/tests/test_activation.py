"""A policy's activation under four eyes: asked for with a rationale (202), carried out when
another risk person approves, as the draft was when asked for."""

import pytest

from approvals.contracts import activation_input
from approvals.models import ApprovalRequest
from decisions.tests.factories import SimulationFactory
from policies.models import PolicyStatus, PolicyVersion
from policies.services import create_draft

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("four_eyes")]

RATIONALE = "Stricter share of salary after the Q3 review."


@pytest.fixture
def draft():
    return create_draft(
        changes={"max_emi_share_of_salary": "0.4"}, based_on=None, created_by="rita"
    )


def ask(as_, version, maker="rita"):
    response = as_(maker).post(f"/policies/{version}/activate", {"rationale": RATIONALE})
    assert response.status_code == 202, response.content
    return response.json()


def test_activation_needs_a_rationale(as_, draft):
    refused = as_("rita").post(f"/policies/{draft.pk}/activate")
    assert (refused.status_code, refused.json()["error"]["fields"]) == (
        400,
        {"rationale": ["A rationale is required: a second person approves the activation."]},
    )
    assert not ApprovalRequest.objects.exists()


def test_activation_waits_for_another_risk_person_beside_the_latest_simulation(as_, draft):
    SimulationFactory.create(policy=draft, parameters={"an": "older run"})
    latest = SimulationFactory.create(policy=draft, parameters=draft.parameters)
    pending = ask(as_, draft.pk)
    approval = ApprovalRequest.objects.get()
    assert {key: pending[key] for key in ("approval_id", "kind", "status", "reason", "maker")} == {
        "approval_id": approval.pk,
        "kind": "policy_activation",
        "status": "pending",
        "reason": RATIONALE,
        "maker": "rita",
    }
    assert pending["policy_version"] == draft.pk
    assert pending["inputs"] == {"version": draft.pk, "parameters": draft.parameters}
    assert pending["latest_simulation"] == {
        "simulation_id": latest.pk,
        "status": "queued",
        "stale": False,
        "report": None,
    }
    assert PolicyVersion.objects.get(pk=draft.pk).status == PolicyStatus.DRAFT

    mine = as_("rita").post(f"/approvals/{approval.pk}/approve")
    assert (mine.status_code, mine.json()["error"]["code"]) == (403, "four_eyes")
    by_approver = as_("asha").post(f"/approvals/{approval.pk}/approve")
    assert (by_approver.status_code, by_approver.json()["error"]["code"]) == (403, "not_a_checker")

    approved = as_("ram").post(f"/approvals/{approval.pk}/approve", {"note": "simulated: fine"})
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["outcome"]) == (
        "approved",
        {"policy_version": draft.pk},
    )
    active = PolicyVersion.objects.get(status=PolicyStatus.ACTIVE)
    assert (active.pk, active.activated_by) == (draft.pk, "ram")
    assert PolicyVersion.objects.get(pk=1).status == PolicyStatus.RETIRED


def test_a_draft_changed_after_the_request_lapses(as_, draft):
    approval_id = ask(as_, draft.pk)["approval_id"]
    assert as_("rita").patch(f"/policies/{draft.pk}", {"minimum_score": 20}).status_code == 200
    lapsed = as_("ram").post(f"/approvals/{approval_id}/approve")
    assert (lapsed.status_code, lapsed.json()["error"]) == (
        409,
        {
            "code": "approval_lapsed",
            "message": f"Approval request {approval_id} lapsed, nothing was done: Policy version "
            f"{draft.pk} was changed after its activation was asked for.",
            "fields": {},
        },
    )
    assert PolicyVersion.objects.get(pk=draft.pk).status == PolicyStatus.DRAFT
    assert ApprovalRequest.objects.get().status == "lapsed"


def test_the_active_version_answers_as_it_is_and_an_unknown_one_is_a_404(as_):
    active = as_("rita").post("/policies/1/activate")
    assert (active.status_code, active.json()["status"]) == (200, "active")
    assert as_("rita").post("/policies/99/activate", {"rationale": "x"}).status_code == 404
    assert not ApprovalRequest.objects.exists()


def test_a_draft_awaiting_activation_cannot_be_deleted(as_, draft):
    ask(as_, draft.pk)
    refused = as_("rita").delete(f"/policies/{draft.pk}")
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "policy_in_use")
    assert PolicyVersion.objects.filter(pk=draft.pk).exists()


def test_with_four_eyes_off_activation_is_immediate(as_, draft, settings):
    settings.FOUR_EYES = False
    response = as_("rita").post(f"/policies/{draft.pk}/activate")
    assert (response.status_code, response.json()["status"]) == (200, "active")
    assert not ApprovalRequest.objects.exists()


def test_the_document_asks_a_rationale_exactly_where_four_eyes_are_on():
    """A process with four eyes on documents (and parses) the rationale as required, so the
    OpenAPI document says what the service enforces; with them off it is optional."""
    assert activation_input(True).model_json_schema()["required"] == ["rationale"]
    assert "required" not in activation_input(False).model_json_schema()
    assert activation_input(True).model_validate({"rationale": "Q3 losses"}).rationale == (
        "Q3 losses"
    )


@pytest.mark.parametrize(
    ("four_eyes", "declared"),
    [(True, "ReasonedActivationInputRequest"), (False, "ActivationInputRequest")],
)
def test_the_openapi_document_follows_the_setting(settings, api, four_eyes, declared):
    settings.FOUR_EYES = four_eyes
    document = api.get("/api/schema", {"format": "json"}).json()
    body = document["paths"]["/policies/{version}/activate"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {
        "$ref": f"#/components/schemas/{declared}"
    }
    assert document["components"]["schemas"][declared].get("required") == (
        ["rationale"] if four_eyes else None
    )
