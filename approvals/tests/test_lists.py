"""The approval requests' list reads a page in a fixed number of queries, however many rows
it holds or activations among them, and pages as the decisions list does."""

import pytest

from approvals.models import ApprovalKind, ApprovalRequest
from decisions.tests.factories import SimulationFactory
from policies.services import create_draft

pytestmark = pytest.mark.django_db


def activation() -> tuple[ApprovalRequest, int]:
    """A pending activation of a new draft simulated twice, and its later simulation's id."""
    draft = create_draft(changes={}, based_on=None, created_by="rita")
    SimulationFactory.create(policy=draft)
    latest = SimulationFactory.create(policy=draft)
    approval = ApprovalRequest.objects.create(
        kind=ApprovalKind.POLICY_ACTIVATION,
        inputs={"version": draft.pk, "parameters": draft.parameters},
        reason="review",
        maker="rita",
        policy=draft,
    )
    return approval, latest.pk


@pytest.mark.parametrize("rows", [1, 12])
def test_a_page_of_activations_costs_the_same_queries_whatever_its_rows(
    as_, rows, django_assert_num_queries
):
    made = [activation() for _ in range(rows)]
    asha = as_("asha")
    asha.get("/approvals/1")  # her key is remembered from now on
    with django_assert_num_queries(3):  # the count, the page, the latest simulations
        listed = asha.get("/approvals").json()
    assert [
        (row["approval_id"], row["latest_simulation"]["simulation_id"]) for row in listed["results"]
    ] == [(approval.pk, latest) for approval, latest in made]


def test_the_list_pages_as_the_decisions_list(as_):
    made = [activation()[0].pk for _ in range(3)]
    second = as_("asha").get("/approvals?page_size=2&page=2").json()
    assert (second["count"], second["next"], [r["approval_id"] for r in second["results"]]) == (
        3,
        None,
        [made[2]],
    )
    assert second["previous"] == "http://testserver/approvals?page_size=2"
    past = as_("asha").get("/approvals?page=3")
    assert past.status_code == 404
    too_many = as_("asha").get("/approvals?page_size=101")
    assert (too_many.status_code, list(too_many.json()["error"]["fields"])) == (400, ["page_size"])
