"""Policy simulation: a candidate version over the decisions recorded in a window, its report
and its CSV of flips; a restarted run counts each decision once."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from core.jobs import JobStatus
from credit.policy import LoanRequest
from customers.tests.factories import CustomerFactory
from decisions import simulations
from decisions.models import PolicySimulation
from decisions.services import check_eligibility
from decisions.tests.factories import SimulationFactory
from loans.tests.factories import LoanFactory
from policies.models import PolicyStatus, PolicyVersion
from policies.services import create_draft, update_draft

pytestmark = pytest.mark.django_db

DAY = date(2026, 6, 15)
ONE_SLAB = [{"min_score": 10, "min_rate": "0"}]


# The candidate's report over the four decisions of `decisions`.
REPORT = {
    "decisions": 4,
    "approved_before": 3,
    "approved_after": 1,
    "approved_to_refused": 2,
    "refused_to_approved": 0,
    "flips_by_reason": {
        "credit_score_too_low": {"approved_to_refused": 2, "refused_to_approved": 0}
    },
    "flips_by_score_band": {"40-49": {"approved_to_refused": 2, "refused_to_approved": 0}},
    "approved_amount_before": 300000.00,
    "approved_amount_after": 100000.00,
    "average_corrected_rate_before": 11.33,  # 12, 12 and 10
    "average_corrected_rate_after": 10.00,
}


@pytest.fixture
def decisions():
    """Four decisions on 2026-06-15 under version 1, and one on another day:
    two thin files (score 40, approved at 12%), a seasoned customer (score 80, approved at
    10%), and a thin file refused for an installment over half its salary alone."""
    thin = [CustomerFactory.create(approved_limit=Decimal(1000000)) for _ in range(2)]
    seasoned = CustomerFactory.create(approved_limit=Decimal(5000000))
    LoanFactory.create(
        customer=seasoned,
        start_date=date(2020, 1, 10),
        tenure=35,
        emis_paid_on_time=35,
        end_date=date(2022, 12, 10),
    )
    ask = LoanRequest(Decimal(100000), Decimal(10), 12)
    made = [check_eligibility(c.pk, ask, as_of=DAY, requested_by="t") for c in (*thin, seasoned)]
    big = LoanRequest(Decimal(600000), Decimal(10), 12)  # EMI 53,309.27 at 12%
    made.append(check_eligibility(thin[0].pk, big, as_of=DAY, requested_by="t"))
    check_eligibility(seasoned.pk, ask, as_of=date(2026, 7, 1), requested_by="t")
    assert [m.decision.approved for m in made] == [True, True, True, False]
    return [m.decision_id for m in made]


def candidate(**changes):
    """A draft that lends only from a score of 45: thin files (40) are refused."""
    changes = changes or {
        "minimum_score": 45,
        "rate_floors": [{"min_score": 51, "min_rate": "0"}, {"min_score": 45, "min_rate": "12"}],
    }
    return create_draft(changes=changes, based_on=None, created_by="risk").version


def simulate(api, policy, date_from="2026-06-15", date_to="2026-06-15"):
    body = {"policy": policy, "from": date_from, "to": date_to}
    return api.post("/policy-simulations", body, format="json")


@pytest.fixture
def simulated(api, run_inline, django_capture_on_commit_callbacks):
    """simulate(), with the job run as soon as the request commits."""

    def post(policy):
        with django_capture_on_commit_callbacks(execute=True):
            return simulate(api, policy)

    return post


def test_a_simulation_reports_what_the_candidate_would_change(api, decisions, simulated, settings):
    settings.SIMULATION_CHUNK = 1  # the run and the CSV go a decision at a time
    accepted = simulated(candidate())
    assert accepted.status_code == 202
    simulation_id = accepted.json()["simulation_id"]
    assert accepted.json()["status"] == "queued"
    assert accepted.json()["status_url"].endswith(f"/policy-simulations/{simulation_id}")
    body = api.get(f"/policy-simulations/{simulation_id}").json()
    assert (body["status"], body["progress"]) == ("succeeded", {"processed": 4, "total": 4})
    assert (body["from"], body["to"], body["failure"]) == ("2026-06-15", "2026-06-15", "")
    assert body["report"] == REPORT
    flips = api.get(body["flips_url"].replace("http://testserver", ""))
    assert flips["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(flips.streaming_content).decode())))
    assert rows[0] == list(simulations.FLIP_COLUMNS)
    assert [row[0] for row in rows[1:]] == [str(decisions[0]), str(decisions[1])]
    assert rows[1][5:] == [
        "approved",
        "refused",
        "40",
        "40",
        "12.00",
        "10.00",  # refused for the score: the requested rate is not corrected
        "",
        "credit_score_too_low",
        "Credit score below 45",  # the candidate's rule, in words
    ]


def test_a_refusal_the_candidate_would_approve_is_counted_by_the_reasons_it_had(
    api, decisions, simulated
):
    generous = candidate(max_emi_share_of_salary="0.6")  # 60,000 of a 1,00,000 salary
    accepted = simulated(generous).json()
    report = api.get(f"/policy-simulations/{accepted['simulation_id']}").json()["report"]
    assert (report["approved_after"], report["refused_to_approved"]) == (4, 1)
    assert report["flips_by_reason"] == {
        "emi_over_half_salary": {"approved_to_refused": 0, "refused_to_approved": 1}
    }
    named = simulations.rule_labels(PolicySimulation.objects.get(pk=accepted["simulation_id"]))
    assert named == {
        "credit_score_too_low": "Credit score below 10",
        "emi_over_half_salary": "Installments over 60% of salary",
        "approved_limit_exceeded": "Loans over the approved limit",
    }
    assert report["flips_by_score_band"] == {
        "40-49": {"approved_to_refused": 0, "refused_to_approved": 1}
    }
    assert report["approved_amount_after"] == 900000.00


def test_an_age_cap_is_simulated_from_the_age_each_decision_kept(api, decisions, simulated):
    # The customers were 35 (the factory's): a 12-month loan ends at 36, past a cap of 35.
    accepted = simulated(candidate(max_age_at_maturity=35)).json()
    report = api.get(f"/policy-simulations/{accepted['simulation_id']}").json()["report"]
    assert (report["approved_after"], report["approved_to_refused"]) == (0, 3)
    assert report["flips_by_reason"] == {
        "age_at_maturity_exceeded": {"approved_to_refused": 3, "refused_to_approved": 0}
    }
    within = simulated(candidate(max_age_at_maturity=36)).json()
    report = api.get(f"/policy-simulations/{within['simulation_id']}").json()["report"]
    assert (report["approved_after"], report["flips_by_reason"]) == (3, {})


def test_a_restarted_run_counts_each_decision_once(decisions, settings, monkeypatch, run_inline):
    settings.SIMULATION_CHUNK = 1
    policy = candidate()
    simulation = SimulationFactory.create(
        policy=PolicyVersion.objects.get(pk=policy), date_from=DAY, date_to=DAY, requested_by="t"
    )
    real_add, calls = simulations.Tally.add, []

    def dies_on_the_third(self, row, policy):
        calls.append(row[0])
        if len(calls) == 3:
            raise SystemExit  # the worker process dies mid-chunk
        return real_add(self, row, policy)

    monkeypatch.setattr(simulations.Tally, "add", dies_on_the_third)
    with pytest.raises(SystemExit):
        simulations.run_simulation_job(simulation.pk)
    simulation.refresh_from_db()
    assert (simulation.status, simulation.processed) == (JobStatus.RUNNING, 2)
    settings.JOB_LEASE_SECONDS = 0  # the dead run's lease has lapsed
    simulations.run_simulation_job(simulation.pk)
    simulation.refresh_from_db()
    report = simulations.tally_of(simulation).report()
    assert (simulation.status, simulation.processed) == (JobStatus.SUCCEEDED, 4)
    assert [chunk.attempts for chunk in simulation.chunks.all()] == [1, 1, 2, 1]
    assert (report["decisions"], report["approved_to_refused"]) == (4, 2)
    assert simulation.flips.count() == 2


def test_the_window_and_the_policy_are_checked(api, decisions):
    reversed_window = simulate(api, 1, "2026-06-16", "2026-06-15")
    assert (reversed_window.status_code, reversed_window.json()["error"]) == (
        422,  # each date well formed: a rule between them, which no schema states
        {
            "code": "validation_error",
            "message": "The request has invalid fields.",
            "fields": {"to": ["Must not be before from (2026-06-16)."]},
        },
    )
    unknown = simulate(api, 99)  # as POST /policies' based_on: a version that is not there
    assert (unknown.status_code, unknown.json()["error"]) == (
        404,
        {"code": "policy_not_found", "message": "No policy version 99.", "fields": {}},
    )
    missing = api.post("/policy-simulations", {}, format="json").json()["error"]["fields"]
    assert set(missing) == {"policy", "from", "to"}
    assert api.get("/policy-simulations/4242").json()["error"]["code"] == "simulation_not_found"


def test_an_active_or_retired_version_may_be_simulated_too(api, decisions, simulated):
    assert PolicyVersion.objects.get(pk=1).status == PolicyStatus.ACTIVE
    body = api.get(f"/policy-simulations/{simulated(1).json()['simulation_id']}").json()
    assert (body["report"]["approved_before"], body["report"]["approved_after"]) == (3, 3)
    assert body["report"]["approved_to_refused"] == body["report"]["refused_to_approved"] == 0


def test_a_draft_edited_mid_run_changes_neither_the_run_nor_its_report(
    api, decisions, settings, monkeypatch, run_inline
):
    """The run resumed after the edit decides under the parameters it was asked for, so its
    report is the clean run's; and the report says it is stale."""
    settings.SIMULATION_CHUNK = 1
    policy = candidate()
    simulation = SimulationFactory.create(
        policy=PolicyVersion.objects.get(pk=policy), date_from=DAY, date_to=DAY
    )
    real_add, calls = simulations.Tally.add, []

    def dies_on_the_second(self, row, policy):
        calls.append(row[0])
        if len(calls) == 2:
            raise SystemExit
        return real_add(self, row, policy)

    monkeypatch.setattr(simulations.Tally, "add", dies_on_the_second)
    with pytest.raises(SystemExit):
        simulations.run_simulation_job(simulation.pk)
    monkeypatch.setattr(simulations.Tally, "add", real_add)
    update_draft(policy, changes={"minimum_score": 10, "rate_floors": ONE_SLAB})
    settings.JOB_LEASE_SECONDS = 0
    simulations.run_simulation_job(simulation.pk)
    body = api.get(f"/policy-simulations/{simulation.pk}").json()
    assert (body["status"], body["stale"]) == ("succeeded", True)
    report = body["report"]
    assert (report["decisions"], report["approved_to_refused"], report["refused_to_approved"]) == (
        4,
        2,
        0,
    )


def test_a_report_is_current_until_its_draft_changes(api, decisions, simulated):
    policy = candidate()
    simulation_id = simulated(policy).json()["simulation_id"]
    assert api.get(f"/policy-simulations/{simulation_id}").json()["stale"] is False
    update_draft(policy, changes={"minimum_score": 50})
    assert api.get(f"/policy-simulations/{simulation_id}").json()["stale"] is True


def test_the_default_window_is_the_last_90_days_today_included():
    assert simulations.default_window(date(2026, 12, 7)) == (date(2026, 9, 9), date(2026, 12, 7))
    start, end = simulations.default_window(date(2026, 3, 1))
    assert ((end - start).days + 1, start) == (90, date(2025, 12, 2))
