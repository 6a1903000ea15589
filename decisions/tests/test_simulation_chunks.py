"""A simulation split into chunks that any worker runs: the report is exact whatever the split
and the order the chunks run in, a chunk whose worker died is taken again once its lease runs
out and counted once, and the progress is the sum of the chunks'."""

import threading
from copy import deepcopy
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from core import jobs
from core.jobs import JobStatus
from decisions import simulations
from decisions.models import PolicySimulation, SimulationChunk
from decisions.tests.factories import SimulationFactory
from decisions.tests.test_simulations import (  # noqa: F401 (decisions: a fixture)
    DAY,
    REPORT,
    candidate,
    decisions,
)
from policies.models import PolicyVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(settings, monkeypatch):
    """plan(chunk): a simulation of the candidate cut into chunks of `chunk` decisions, its
    runners handed over to nobody (the test runs the chunks itself)."""
    monkeypatch.setattr(jobs, "start", lambda task, job_id: True)

    def plan(chunk: int) -> PolicySimulation:
        settings.SIMULATION_CHUNK = chunk
        policy = PolicyVersion.objects.get(pk=candidate())
        simulation = SimulationFactory.create(policy=policy, date_from=DAY, date_to=DAY)
        simulations.run_simulation_job(simulation.pk)
        return simulation

    return plan


def run_in_order(simulation: PolicySimulation, order: str) -> None:
    for chunk in simulation.chunks.order_by(order):
        jobs.claim(SimulationChunk, chunk.pk)
        chunk.refresh_from_db()
        simulations.run_claimed_chunk(chunk)


def outcome(simulation: PolicySimulation) -> tuple[object, ...]:
    simulation.refresh_from_db()
    flips = list(simulation.flips.values_list("decision_id", flat=True))
    report = simulations.tally_of(simulation).report()
    # Decimals as the API renders them (numbers), to compare with REPORT.
    report = {key: float(v) if isinstance(v, Decimal) else v for key, v in report.items()}
    return simulation.status, simulation.processed, simulation.total, flips, report


def test_the_report_is_exact_whatever_the_split_and_the_order(decisions, planned):  # noqa: F811
    one = planned(chunk=100)
    assert one.chunks.count() == 1
    run_in_order(one, "pk")
    many = planned(chunk=1)
    assert [(c.first_decision_id, c.end_decision_id) for c in many.chunks.all()] == [
        (decision, decision + 1) for decision in decisions
    ]
    run_in_order(many, "pk")
    backwards = planned(chunk=1)
    run_in_order(backwards, "-pk")
    uneven = planned(chunk=3)
    assert list(uneven.chunks.values_list("tally__decisions", flat=True)) == [None, None]
    run_in_order(uneven, "-pk")
    assert list(uneven.chunks.values_list("tally__decisions", flat=True)) == [3, 1]
    expected = (JobStatus.SUCCEEDED, 4, 4, decisions[:2], REPORT)
    assert [outcome(s) for s in (one, many, backwards, uneven)] == [expected] * 4


def flips(approved_to_refused: int, refused_to_approved: int) -> dict[str, int]:
    return {"approved_to_refused": approved_to_refused, "refused_to_approved": refused_to_approved}


# Two chunks' tallies with every figure non-zero, and what they add up to: a field added to Tally
# without a value in each fails the test below.
ONE: dict[str, Any] = {
    "decisions": 3,
    "approved_before": 2,
    "approved_after": 1,
    "flips": flips(1, 0),
    "by_reason": {"emi_over_half_salary": flips(1, 0)},
    "by_score_band": {"40-49": flips(1, 0)},
    "approved_amount_before": Decimal("150000.00"),
    "approved_amount_after": Decimal("50000.00"),
    "rate_sum_before": Decimal("24.50"),
    "rate_sum_after": Decimal("12.00"),
}
TWO: dict[str, Any] = {
    "decisions": 5,
    "approved_before": 1,
    "approved_after": 3,
    "flips": flips(0, 2),
    "by_reason": {"emi_over_half_salary": flips(0, 1), "credit_score_too_low": flips(0, 1)},
    "by_score_band": {"60-69": flips(0, 2)},
    "approved_amount_before": Decimal("70000.50"),
    "approved_amount_after": Decimal("210000.25"),
    "rate_sum_before": Decimal("16.00"),
    "rate_sum_after": Decimal("40.75"),
}
MERGED: dict[str, Any] = {
    "decisions": 8,
    "approved_before": 3,
    "approved_after": 4,
    "flips": flips(1, 2),
    "by_reason": {"emi_over_half_salary": flips(1, 1), "credit_score_too_low": flips(0, 1)},
    "by_score_band": {"40-49": flips(1, 0), "60-69": flips(0, 2)},
    "approved_amount_before": Decimal("220000.50"),
    "approved_amount_after": Decimal("260000.25"),
    "rate_sum_before": Decimal("40.50"),
    "rate_sum_after": Decimal("52.75"),
}


def figures_of(tally: simulations.Tally) -> dict[str, object]:
    return {figure.name: getattr(tally, figure.name) for figure in fields(simulations.Tally)}


def test_merging_tallies_adds_every_field():
    names = [figure.name for figure in fields(simulations.Tally)]
    assert list(ONE) == list(TWO) == list(MERGED) == names
    # A field left at zero would prove nothing.
    assert all(ONE.values())
    assert all(TWO.values())
    mine, theirs = simulations.Tally(**deepcopy(ONE)), simulations.Tally(**deepcopy(TWO))
    mine.merge(theirs)
    assert figures_of(mine) == MERGED
    assert figures_of(theirs) == TWO  # the other chunk's tally is read, never changed
    mine.by_score_band["60-69"]["refused_to_approved"] += 1  # nor shared with the sum
    assert figures_of(theirs) == TWO


def test_a_field_added_to_the_tally_is_merged_without_a_line_for_it():
    @dataclass
    class Wider(simulations.Tally):
        declined_by_hand: int = 0
        by_officer: dict[str, int] = field(default_factory=dict)

    mine = Wider(declined_by_hand=2, by_officer={"rita": 1})
    mine.merge(Wider(declined_by_hand=5, by_officer={"rita": 2, "sam": 4}))
    assert (mine.declined_by_hand, mine.by_officer) == (7, {"rita": 3, "sam": 4})


def test_a_tally_refuses_to_merge_a_figure_it_cannot_add():
    mine, theirs = simulations.Tally(), simulations.Tally()
    theirs.decisions = "3"  # type: ignore[assignment]
    with pytest.raises(TypeError, match="A tally cannot add str"):
        mine.merge(theirs)


def test_the_progress_is_the_sum_of_the_chunks_committed(decisions, planned):  # noqa: F811
    simulation = planned(chunk=1)
    first, second, *_ = simulation.chunks.all()
    for chunk in (second, first):
        jobs.claim(SimulationChunk, chunk.pk)
        chunk.refresh_from_db()
        simulations.run_claimed_chunk(chunk)
    simulation.refresh_from_db()
    assert (simulation.status, simulation.processed, simulation.total) == (JobStatus.RUNNING, 2, 4)
    assert simulation.tally == {}  # the report waits for the last chunk


def test_a_dead_workers_chunk_is_taken_again_once_and_counted_once(
    decisions,  # noqa: F811
    planned,
    settings,
    caplog,
):
    simulation = planned(chunk=1)
    pool = simulation.chunks.order_by("pk")
    taken = jobs.claim_next(pool)  # a worker takes the first chunk, then dies
    assert taken is not None
    simulations.run_chunks(simulation.pk)  # another worker: the held chunk is left alone
    assert outcome(simulation)[:4] == (JobStatus.RUNNING, 3, 4, [decisions[1]])
    settings.JOB_LEASE_SECONDS = 0  # the dead worker's lease runs out
    simulations.run_chunks(simulation.pk)
    assert outcome(simulation) == (JobStatus.SUCCEEDED, 4, 4, decisions[:2], REPORT)
    assert list(pool.values_list("attempts", flat=True)) == [2, 1, 1, 1]
    # The first worker was only slow: its late commit is refused and counts nothing.
    simulations.run_claimed_chunk(taken)
    assert outcome(simulation) == (JobStatus.SUCCEEDED, 4, 4, decisions[:2], REPORT)
    assert f"Chunk {taken.pk} was taken over by another run" in caplog.text


class Clock:
    """The time core.jobs reads (django.utils.timezone.now), moved on by the test alone."""

    def __init__(self) -> None:
        self.start = timezone.now()
        self.passed = timedelta(0)

    def now(self) -> datetime:
        return self.start + self.passed


@pytest.fixture
def clock(settings, monkeypatch) -> Clock:
    """A lease of one second on a clock the test moves, asked about before every decision."""
    settings.JOB_LEASE_SECONDS = 1
    monkeypatch.setattr(simulations, "DECISIONS_BETWEEN_RENEWALS", 1)
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock.now)
    return clock


@pytest.mark.parametrize(
    ("each_decision_takes", "heartbeats"),
    [
        # Every decision a whole lease long: the lease is renewed before each (4 leases' work).
        (1.0, [0.0, 1.0, 2.0, 3.0]),
        # A fifth of one: renewed once a third has passed, not before every decision.
        (0.2, [0.0, 0.0, 0.4, 0.4]),
    ],
)
def test_a_chunk_slower_than_its_lease_keeps_it_while_it_computes(
    decisions,  # noqa: F811
    planned,
    clock,
    monkeypatch,
    each_decision_takes,
    heartbeats,
):
    simulation = planned(chunk=100)
    pool = simulation.chunks.order_by("pk")
    chunk = jobs.claim_next(pool)
    assert chunk is not None
    real_add, seen = simulations.Tally.add, []

    def slow_add(self, row, policy):
        chunk.refresh_from_db()
        seen.append((chunk.heartbeat_at - clock.start).total_seconds())
        with pytest.raises(jobs.JobBusy):  # a second delivery waits
            jobs.claim(SimulationChunk, chunk.pk)
        assert jobs.claim_next(pool) is None  # another runner takes nothing
        clock.passed += timedelta(seconds=each_decision_takes)
        return real_add(self, row, policy)

    monkeypatch.setattr(simulations.Tally, "add", slow_add)
    simulations.run_claimed_chunk(chunk)
    assert seen == heartbeats
    assert outcome(simulation) == (JobStatus.SUCCEEDED, 4, 4, decisions[:2], REPORT)
    assert list(pool.values_list("attempts", flat=True)) == [1]


def test_a_chunk_taken_over_while_it_computes_stops_at_its_next_renewal(
    decisions,  # noqa: F811
    planned,
    clock,
    monkeypatch,
    caplog,
):
    simulation = planned(chunk=100)
    chunk = jobs.claim_next(simulation.chunks.all())
    assert chunk is not None
    real_add, decided = simulations.Tally.add, []

    def stalls_then_goes_on(self, row, policy):
        decided.append(row[0])
        clock.passed += timedelta(seconds=2)  # a stall past the lease: another run takes over
        assert jobs.claim(SimulationChunk, chunk.pk) is not None
        return real_add(self, row, policy)

    monkeypatch.setattr(simulations.Tally, "add", stalls_then_goes_on)
    simulations.run_claimed_chunk(chunk)
    assert decided == decisions[:1]  # not the three decisions after the takeover
    assert f"Chunk {chunk.pk} was taken over by another run" in caplog.text
    assert outcome(simulation)[:4] == (JobStatus.RUNNING, 0, 4, [])


def test_a_chunk_whose_workers_keep_dying_fails_the_simulation(
    decisions,  # noqa: F811
    planned,
    settings,
):
    settings.JOB_MAX_ATTEMPTS = 1
    simulation = planned(chunk=1)
    pool = simulation.chunks.order_by("pk")
    jobs.claim_next(pool)  # its worker dies
    settings.JOB_LEASE_SECONDS = 0
    simulations.run_chunks(simulation.pk)
    simulation.refresh_from_db()
    assert (simulation.status, simulation.processed, simulation.failure) == (
        JobStatus.FAILED,
        0,
        "The job was started 1 times and its worker died each time (last in phase ''); "
        "it is not run again.",
    )
    assert set(pool.values_list("status", flat=True)) == {JobStatus.FAILED}
    simulations.run_chunks(simulation.pk)  # a late runner finds nothing to take
    assert list(pool.values_list("attempts", flat=True)) == [2, 0, 0, 0]


def test_an_error_in_a_chunk_fails_the_simulation(decisions, planned, monkeypatch):  # noqa: F811
    simulation = planned(chunk=1)

    def broken(self, row, policy):
        raise ZeroDivisionError

    monkeypatch.setattr(simulations.Tally, "add", broken)
    with pytest.raises(ZeroDivisionError):
        simulations.run_chunks(simulation.pk)
    simulation.refresh_from_db()
    assert (simulation.status, simulation.failure) == (
        JobStatus.FAILED,
        "Internal error; see the log.",
    )


def test_an_empty_window_succeeds_without_chunks(db, run_inline):
    simulation = SimulationFactory.create(date_from=DAY, date_to=DAY)
    simulations.run_simulation_job(simulation.pk)
    simulation.refresh_from_db()
    assert (simulation.status, simulation.total, simulation.chunks.count()) == (
        JobStatus.SUCCEEDED,
        0,
        0,
    )
    assert simulations.tally_of(simulation).report()["decisions"] == 0
    simulations.run_simulation_job(simulation.pk)  # a late delivery of a finished job
    assert run_inline == []


def test_a_later_delivery_hands_the_chunks_left_to_runners(
    decisions,  # noqa: F811
    planned,
    monkeypatch,
    settings,
):
    """The sweep's delivery of a planned simulation plans nothing again: it starts runners."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.SIMULATION_RUNNERS = 3
    simulation = planned(chunk=1)
    handed: list[int] = []

    def start(task: object, job_id: int) -> bool:
        handed.append(job_id)
        return True

    monkeypatch.setattr(jobs, "start", start)
    simulations.run_simulation_job(simulation.pk)
    assert (handed, simulation.chunks.count()) == ([simulation.pk] * 3, 4)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_side_by_side_take_different_chunks(decisions, planned):  # noqa: F811
    """Two runners on two connections at once: each chunk is taken by one (SKIP LOCKED)."""
    simulation = planned(chunk=1)
    start = threading.Barrier(2)

    def runner() -> None:
        start.wait()
        try:
            simulations.run_chunks(simulation.pk)
        finally:
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcome(simulation) == (JobStatus.SUCCEEDED, 4, 4, decisions[:2], REPORT)
    assert list(simulation.chunks.values_list("attempts", flat=True)) == [1, 1, 1, 1]


def test_a_run_begun_before_chunks_is_planned_afresh_and_counted_once(
    decisions,  # noqa: F811
    planned,
):
    simulation = planned(chunk=100)
    run_in_order(simulation, "pk")
    done = outcome(simulation)
    assert done[0] == JobStatus.SUCCEEDED
    # As a run begun before decisions' migration 0005 leaves it: flips and progress, no chunks.
    simulation.chunks.all().delete()
    PolicySimulation.objects.filter(pk=simulation.pk).update(
        status=JobStatus.QUEUED, finished_at=None, run_token=None, tally={}
    )
    simulations.run_simulation_job(simulation.pk)
    run_in_order(simulation, "pk")
    assert outcome(simulation) == done
