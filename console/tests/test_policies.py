"""Policy versions and simulations in the console, for the risk role: the list, two versions side
by side, drafts with errors beside the fields, activation behind a confirmation, a simulation
started from the page with live progress and its report."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from console.tests.conftest import form_key
from core.auth import Role
from credit.policy import LoanRequest
from customers.tests.factories import CustomerFactory
from decisions.models import PolicySimulation
from decisions.services import check_eligibility
from decisions.tests.factories import SimulationFactory
from policies.models import PolicyStatus, PolicyVersion
from policies.services import create_draft, update_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def risk(signed_in):
    return signed_in(Role.RISK, name="ravi")


def draft_fields(**changes):
    """Version 1's parameters as the draft form sends them."""
    values = {
        "weight_repayment_on_time": "35",
        "weight_loans_taken": "25",
        "weight_current_year_activity": "25",
        "weight_approved_volume": "15",
        "completed_loans_for_full_marks": "5",
        "loans_this_year_to_lose_all": "4",
        "minimum_score": "10",
        "max_emi_share_of_salary": "50",
        "limit_multiplier": "36",
        "limit_rounding": "100000",
        "slab_0_min_score": "51",
        "slab_0_min_rate": "0",
        "slab_1_min_score": "30",
        "slab_1_min_rate": "12",
        "slab_2_min_score": "10",
        "slab_2_min_rate": "16",
        "form_key": form_key(),
    }
    return {**values, **changes}


def test_the_list_shows_every_version_and_its_status(risk):
    draft = create_draft(changes={"minimum_score": 20}, based_on=None, created_by="ravi")
    page = risk.get("/console/policies/").content.decode()
    assert f'<a href="/console/policies/{draft.version}/">{draft.version}</a>' in page
    assert '<span class="badge draft">draft</span>' in page
    assert '<span class="badge active">active</span>' in page


def test_two_versions_side_by_side_mark_what_changed(risk):
    draft = create_draft(
        changes={"minimum_score": 20, "weights": {"loans_taken": 20, "approved_volume": 20}},
        based_on=None,
        created_by="ravi",
    )
    page = risk.get("/console/policies/compare/", {"left": 1, "right": draft.version})
    page = page.content.decode()
    assert (
        '<tr class="changed"><td>Minimum score</td>'
        '<td class="num">10</td><td class="num">20</td></tr>'
    ) in page
    assert (
        '<tr class="changed"><td>Weight: loans taken</td>'
        '<td class="num">25.00</td><td class="num">20.00</td></tr>'
    ) in page
    assert (
        "<tr><td>Approved limit: multiple of income</td>"
        '<td class="num">36.00</td><td class="num">36.00</td></tr>'
    ) in page
    assert (
        "<tr><td>Installments as a share of salary</td>"
        '<td class="num">50%</td><td class="num">50%</td></tr>'
    ) in page
    assert (
        '<tr><td>Slab 2</td><td class="num">score ≥ 30: rate ≥ 12.00%</td>'
        '<td class="num">score ≥ 30: rate ≥ 12.00%</td></tr>'
    ) in page
    assert "<code>" not in page
    assert page.count('class="changed"') == 3
    unknown = risk.get("/console/policies/compare/", {"left": 1, "right": draft.version + 1})
    assert unknown.status_code == 400


def test_the_draft_form_starts_from_the_active_version(risk):
    page = risk.get("/console/policies/draft/").content.decode()
    assert 'name="weight_repayment_on_time" value="35.00"' in page
    assert 'name="slab_2_min_rate" value="16.00"' in page
    assert 'name="slab_3_min_score"' in page
    assert 'name="slab_3_min_score" value' not in page


def test_saving_a_draft_records_who_made_it(risk):
    answer = risk.post("/console/policies/draft/", draft_fields(minimum_score="15", based_on="1"))
    draft = PolicyVersion.objects.latest("id")
    assert (answer.status_code, answer["Location"]) == (303, f"/console/policies/{draft.pk}/")
    assert (draft.status, draft.created_by, draft.based_on_id) == (PolicyStatus.DRAFT, "ravi", 1)
    assert draft.parameters["minimum_score"] == 15
    assert [slab["min_score"] for slab in draft.parameters["rate_floors"]] == [51, 30, 10]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"weight_loans_taken": "30"},
            None,
            "Score weights: Must add up to 100, not 105.00.",
        ),
        (
            {"minimum_score": "101"},
            "minimum_score",
            "Ensure this value is less than or equal to 100.",
        ),
        (
            {"max_emi_share_of_salary": "150"},
            "max_emi_share_of_salary",
            "Must be more than 0% and at most 100%, with at most 2 decimals.",
        ),
        (
            {"max_emi_share_of_salary": "40.125"},
            "max_emi_share_of_salary",
            "Must be more than 0% and at most 100%, with at most 2 decimals.",
        ),
        (
            {"max_emi_share_of_salary": "forty"},
            "max_emi_share_of_salary",
            "A valid number is required.",
        ),
        ({"slab_1_min_rate": "abc"}, "slab_1_min_rate", "A valid number is required."),
        ({"weight_loans_taken": "abc"}, "weight_loans_taken", "A valid number is required."),
        (
            {"slab_1_min_score": "60"},
            "slab_1_min_score",
            "Slabs go from the best score down: each min_score lower.",
        ),
    ],
)
def test_a_bad_parameter_is_named_beside_its_field(risk, changes, field, message):
    answer = risk.post("/console/policies/draft/", draft_fields(**changes))
    page = answer.content.decode()
    assert answer.status_code == 400
    if field:
        assert f'id="id_{field}-errors"><li>{message}</li>' in page
    else:
        assert (
            f'<div class="form-errors" role="alert"><ul class="errorlist"><li>{message}</li>'
            in page
        )
    assert PolicyVersion.objects.count() == 1


def test_a_draft_is_edited_and_deleted_but_an_active_version_is_not(risk):
    draft = create_draft(changes={}, based_on=None, created_by="ravi")
    edited = risk.post(f"/console/policies/{draft.version}/edit/", draft_fields(minimum_score="25"))
    assert edited.status_code == 303
    draft.refresh_from_db()
    assert draft.parameters["minimum_score"] == 25
    active = risk.post("/console/policies/1/edit/", draft_fields())
    assert active.status_code == 400
    assert "Policy version 1 is active: only a draft may be changed" in active.content.decode()
    gone = risk.post(f"/console/policies/{draft.version}/delete/")
    assert gone["Location"] == "/console/policies/"
    assert not PolicyVersion.objects.filter(pk=draft.pk).exists()


def test_activation_asks_first_then_records_who_activated(risk):
    draft = create_draft(changes={"minimum_score": 20}, based_on=None, created_by="ravi")
    confirm = risk.get(f"/console/policies/{draft.version}/activate/").content.decode()
    assert f"Activate version {draft.version}?" in confirm
    assert "version 1, in force now, is retired" in confirm
    assert '<td class="num">10</td><td class="num">20</td>' in confirm
    assert PolicyVersion.objects.get(pk=draft.pk).status == PolicyStatus.DRAFT
    done = risk.post(f"/console/policies/{draft.version}/activate/")
    assert done["Location"] == f"/console/policies/{draft.version}/"
    draft.refresh_from_db()
    assert (draft.status, draft.activated_by) == (PolicyStatus.ACTIVE, "ravi")
    assert PolicyVersion.objects.get(pk=1).status == PolicyStatus.RETIRED


def test_a_simulation_starts_runs_and_reports_with_a_chart(risk, run_inline):
    thin = CustomerFactory.create(approved_limit=Decimal(1000000))
    check_eligibility(
        thin.pk,
        LoanRequest(Decimal(100000), Decimal(10), 12),
        as_of=date(2026, 6, 15),
        requested_by="t",
    )
    candidate = create_draft(
        changes={"minimum_score": 45, "rate_floors": [{"min_score": 45, "min_rate": 12}]},
        based_on=None,
        created_by="ravi",
    )
    answer = risk.post(
        "/console/simulations/",
        {
            "policy": candidate.version,
            "from": "2026-06-01",
            "to": "2026-06-30",
            "form_key": form_key(),
        },
    )
    simulation = PolicySimulation.objects.get()
    assert answer["Location"] == f"/console/simulations/{simulation.pk}/"
    assert simulation.requested_by == "ravi"
    page = risk.get(answer["Location"]).content.decode()
    assert '<span class="badge large succeeded">succeeded</span>' in page
    assert (
        'aria-label="Decisions approved before and after the candidate: Approved before 1, '
        'Approved after 0, Approved → refused 1, Refused → approved 0."'
    ) in page
    assert (
        '<tr><td>Credit score below 45</td><td class="num">1</td><td class="num">0</td></tr>'
        in page
    )
    flips = risk.get(f"/console/simulations/{simulation.pk}/flips.csv")
    rows = list(csv.reader(io.StringIO(b"".join(flips.streaming_content).decode())))
    assert rows[0][:3] == ["decision_id", "customer_id", "as_of"]
    assert rows[1][5:7] == ["approved", "refused"]
    assert (rows[0][-2:], rows[1][-2:]) == (
        ["reasons_after", "reasons_after_rules"],
        ["credit_score_too_low", "Credit score below 45"],
    )
    stale = f"Version {candidate.version} has changed since this simulation was asked for"
    assert stale not in page
    update_draft(candidate.version, changes={"minimum_score": 50})
    assert stale in risk.get(answer["Location"]).content.decode()


def test_a_simulation_window_the_wrong_way_round_is_refused_beside_the_field(risk):
    answer = risk.post(
        "/console/simulations/",
        {"policy": 1, "from": "2026-06-30", "to": "2026-06-01", "form_key": form_key()},
    )
    assert answer.status_code == 400
    assert (
        'id="id_to-errors"><li>Must not be before from (30 Jun 2026).</li>'
        in answer.content.decode()
    )
    assert PolicySimulation.objects.count() == 0


def test_a_running_simulation_polls_and_reloads_when_done(risk):
    simulation = SimulationFactory.create(total=200, processed=50)
    page = risk.get(f"/console/simulations/{simulation.pk}/").content.decode()
    assert f'hx-get="/console/simulations/{simulation.pk}/live/" hx-trigger="every 1s"' in page
    live = risk.get(f"/console/simulations/{simulation.pk}/live/")
    assert 'aria-valuetext="50 of 200 decisions"' in live.content.decode()
    assert "HX-Refresh" not in live
    PolicySimulation.objects.filter(pk=simulation.pk).update(status="failed", failure="boom")
    assert risk.get(f"/console/simulations/{simulation.pk}/live/")["HX-Refresh"] == "true"


def test_a_version_page_shows_its_parameters_and_what_may_be_done(risk):
    draft = create_draft(changes={"minimum_score": 20}, based_on=None, created_by="ravi")
    page = risk.get(f"/console/policies/{draft.version}/").content.decode()
    assert '<tr><td>Minimum score</td><td class="num">20</td></tr>' in page
    assert "Edit draft</a>" in page
    assert f'href="/console/policies/{draft.version}/activate/">Activate…</a>' in page
    active = risk.get("/console/policies/1/").content.decode()
    assert "Edit draft" not in active
    assert "Activate…" not in active
    edit = risk.get(f"/console/policies/{draft.version}/edit/").content.decode()
    assert 'name="minimum_score" value="20"' in edit


def test_deleting_takes_a_post(risk):
    draft = create_draft(changes={}, based_on=None, created_by="ravi")
    assert risk.get(f"/console/policies/{draft.version}/delete/").status_code == 405
    assert PolicyVersion.objects.filter(pk=draft.pk).exists()


def test_a_simulation_form_sent_again_with_other_values_is_refused(risk, run_inline):
    key = form_key()
    window = {"policy": 1, "from": "2026-06-01", "to": "2026-06-30", "form_key": key}
    risk.post("/console/simulations/", window)
    again = risk.post("/console/simulations/", {**window, "to": "2026-06-29"})
    assert again.status_code == 400
    assert "This form was already sent with other values" in again.content.decode()
    assert PolicySimulation.objects.count() == 1


def test_a_version_that_cannot_go_stays_and_its_page_says_why(risk):
    draft = create_draft(changes={}, based_on=None, created_by="ravi")
    SimulationFactory.create(policy=draft)
    for version, reason in (
        (draft.version, "has simulations that refer to it: it is kept with them."),
        (1, "is active: only a draft may be changed or deleted"),
    ):
        refused = risk.post(f"/console/policies/{version}/delete/", {}, follow=True)
        assert refused.redirect_chain == [(f"/console/policies/{version}/", 303)]
        assert f"Policy version {version} {reason}" in refused.content.decode()
        assert PolicyVersion.objects.filter(pk=version).exists()


@pytest.mark.parametrize("based_on", ["²", "٣", "1.0", "-1", "0", "9" * 30, "1 "])
def test_a_draft_based_on_something_that_is_no_version_number_is_the_404_page(risk, based_on):
    page = risk.get("/console/policies/draft/", {"based_on": based_on})
    assert page.status_code == 404
    assert "<h1>Not found</h1>" in page.content.decode()


def test_the_draft_form_sets_the_counter_offer_step_and_the_age_cap(risk):
    page = risk.get("/console/policies/draft/").content.decode()
    assert (
        '<label for="id_counter_offer_step">Counter-offers: amount rounded down to (₹)</label>'
        in page
    )
    assert (
        '<label for="id_max_age_at_maturity">Largest age at the loan&#x27;s end (years)</label>'
    ) in page
    assert "Blank: no cap." in page
    risk.post(
        "/console/policies/draft/",
        draft_fields(counter_offer_step="500", max_age_at_maturity="65"),
    )
    capped = PolicyVersion.objects.latest("id")
    assert (capped.parameters["counter_offer_step"], capped.parameters["max_age_at_maturity"]) == (
        "500",
        65,
    )
    page = risk.get(f"/console/policies/{capped.pk}/edit/").content.decode()
    assert 'name="max_age_at_maturity" value="65"' in page
    # A blank age is no cap, even over a version that has one; a blank step keeps the base's.
    risk.post(f"/console/policies/{capped.pk}/edit/", draft_fields(max_age_at_maturity=""))
    capped.refresh_from_db()
    assert (capped.parameters["counter_offer_step"], capped.parameters["max_age_at_maturity"]) == (
        "500",
        None,
    )


def test_the_share_of_salary_is_typed_in_percent_and_saved_as_a_fraction(risk):
    form = risk.get("/console/policies/draft/").content.decode()
    assert 'name="max_emi_share_of_salary" value="50"' in form
    assert "In percent: 40 means 40%." in form
    answer = risk.post("/console/policies/draft/", draft_fields(max_emi_share_of_salary="40"))
    assert answer.status_code == 303
    draft = PolicyVersion.objects.latest("id")
    assert draft.parameters["max_emi_share_of_salary"] == "0.4000"
    page = risk.get(f"/console/policies/{draft.pk}/").content.decode()
    assert '<tr><td>Installments as a share of salary</td><td class="num">40%</td></tr>' in page
    edit = risk.get(f"/console/policies/{draft.pk}/edit/").content.decode()
    assert 'name="max_emi_share_of_salary" value="40"' in edit


def test_every_error_of_the_draft_shows_at_once_each_beside_its_field(risk):
    answer = risk.post(
        "/console/policies/draft/",
        draft_fields(
            weight_loans_taken="30",  # the weights add up to 105
            minimum_score="101",
            max_emi_share_of_salary="120",
            slab_1_min_score="60",  # above slab 1's 51
            slab_2_min_rate="11",  # below slab 2's 12
            limit_rounding="abc",
        ),
    )
    page = answer.content.decode()
    assert answer.status_code == 400
    errors = {
        "minimum_score": "Ensure this value is less than or equal to 100.",
        "max_emi_share_of_salary": (
            "Must be more than 0% and at most 100%, with at most 2 decimals."
        ),
        "slab_1_min_score": "Slabs go from the best score down: each min_score lower.",
        "slab_2_min_rate": "A lower slab may not borrow at a lower min_rate.",
        "limit_rounding": "A valid number is required.",
    }
    for field, message in errors.items():
        assert f'id="id_{field}-errors"><li>{message}</li></ul>' in page
    assert page.count('class="errorlist"') == len(errors) + 1
    assert (
        '<div class="form-errors" role="alert"><ul class="errorlist">'
        "<li>Score weights: Must add up to 100, not 105.00.</li></ul></div>"
    ) in page
    assert PolicyVersion.objects.count() == 1


def test_a_slab_the_minimum_score_cuts_is_a_warning_not_an_error(risk):
    warning = "Slab 3 starts at 10, below the minimum score (20): scores 10–19 are refused."
    answer = risk.post("/console/policies/draft/", draft_fields(minimum_score="20"))
    assert answer.status_code == 303
    page = risk.get(answer["Location"]).content.decode()
    assert f'<div class="notice warn mb-18" role="note"><ul class="warnings"><li>{warning}' in page
    edit = risk.get(answer["Location"] + "edit/").content.decode()
    assert warning in edit
    refused = risk.post(
        "/console/policies/draft/", draft_fields(minimum_score="20", limit_rounding="0")
    )
    assert refused.status_code == 400
    assert warning in refused.content.decode()
    assert warning not in risk.get("/console/policies/1/").content.decode()


def test_the_simulation_form_offers_the_last_90_days(risk, monkeypatch):
    monkeypatch.setattr("core.clock.today", lambda: date(2026, 12, 7))
    page = risk.get("/console/simulations/").content.decode()
    assert 'name="from" value="2026-09-09"' in page
    assert 'name="to" value="2026-12-07"' in page


def test_a_draft_without_slabs_is_refused_above_the_form_under_the_slabs_label(risk):
    no_slabs = {f"slab_{row}_{name}": "" for row in range(3) for name in ("min_score", "min_rate")}
    answer = risk.post("/console/policies/draft/", draft_fields(**no_slabs))
    assert answer.status_code == 400
    assert (
        '<div class="form-errors" role="alert"><ul class="errorlist">'
        "<li>Rate slabs: At least one slab is needed.</li></ul></div>"
    ) in answer.content.decode()
