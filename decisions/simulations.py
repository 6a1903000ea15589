"""Champion/challenger, offline: a candidate version decides again every decision recorded with
an as-of date in a window, from the figures each one kept, and the report says what would
change. A background job (core.jobs) cuts the window into chunks of SIMULATION_CHUNK decisions,
each a leased job of its own that any worker's runner takes (docs/scaling.md, "Simulations
across workers"); each chunk's flips, its tally and the simulation's progress commit together,
so a chunk whose worker died is taken again once its lease runs out and counts every decision
once, and the report is the sum of the chunks' tallies, exact whatever the split.
"""

import logging
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min, QuerySet
from django.utils import timezone

from core import jobs
from core.jobs import JobStatus
from credit.money import as_stored, from_stored
from credit.policy import LoanRequest, Policy, decide, rule_label, rules_of
from credit.scoring import Figures
from decisions.errors import SimulationNotFound
from decisions.models import CreditDecision, PolicySimulation, SimulationChunk, SimulationFlip
from policies.parameters import PolicyParameters
from policies.selectors import get_version

logger = logging.getLogger(__name__)

APPROVED_TO_REFUSED, REFUSED_TO_APPROVED = "approved_to_refused", "refused_to_approved"
# A chunk's run asks whether its lease wants renewing (jobs.JobRun.keep_alive) every this many
# decisions: a few milliseconds of work, so the lease is renewed on time at a negligible cost.
DECISIONS_BETWEEN_RENEWALS = 100
# The window the console's form starts with: the last DEFAULT_WINDOW_DAYS days, today included.
DEFAULT_WINDOW_DAYS = 90
_READ = (
    "pk",
    "customer_id",
    "as_of",
    "loan_amount",
    "interest_rate",
    "tenure",
    "approved",
    "credit_score",
    "corrected_interest_rate",
    "reasons",
    "figures",
)


def score_band(score: int) -> str:
    low = min(score // 10 * 10, 90)
    return f"{low}-{low + 9 if low < 90 else 100}"


@dataclass
class Tally:
    """What the report is made of, added to chunk by chunk."""

    decisions: int = 0
    approved_before: int = 0
    approved_after: int = 0
    flips: dict[str, int] = field(
        default_factory=lambda: {APPROVED_TO_REFUSED: 0, REFUSED_TO_APPROVED: 0}
    )
    by_reason: dict[str, dict[str, int]] = field(default_factory=dict)
    by_score_band: dict[str, dict[str, int]] = field(default_factory=dict)
    approved_amount_before: Decimal = Decimal(0)
    approved_amount_after: Decimal = Decimal(0)
    rate_sum_before: Decimal = Decimal(0)
    rate_sum_after: Decimal = Decimal(0)

    def add(self, row: tuple[Any, ...], policy: Policy) -> SimulationFlip | None:
        _, _, _, amount, rate, tenure, approved, _, rate_before, reasons, figures = row
        request = LoanRequest(amount=amount, interest_rate=rate, tenure=tenure)
        after = decide(from_stored(Figures, figures), request, policy, with_offers=False)
        self.decisions += 1
        if approved:
            self.approved_before += 1
            self.approved_amount_before += amount
            self.rate_sum_before += rate_before
        if after.approved:
            self.approved_after += 1
            self.approved_amount_after += amount
            self.rate_sum_after += after.corrected_interest_rate
        if approved == after.approved:
            return None
        flip = APPROVED_TO_REFUSED if approved else REFUSED_TO_APPROVED
        self.flips[flip] += 1
        changed = after.reasons if approved else ()
        codes = [str(reason.code) for reason in changed] or [r["code"] for r in reasons]
        for code in codes:
            self._count(self.by_reason, code, flip)
        self._count(self.by_score_band, score_band(after.credit.score), flip)
        return _flip(row, after)

    def merge(self, other: "Tally") -> None:
        """Another chunk's sums added to these, field by field (dataclasses.fields, so a field
        added to the report is never left out): every figure is a count or an exact sum, so the
        totals are the same whatever the chunks and their order."""
        for figure in fields(self):
            setattr(
                self, figure.name, _sum(getattr(self, figure.name), getattr(other, figure.name))
            )

    @staticmethod
    def _count(table: dict[str, dict[str, int]], key: str, flip: str, count: int = 1) -> None:
        counts = table.setdefault(key, {APPROVED_TO_REFUSED: 0, REFUSED_TO_APPROVED: 0})
        counts[flip] += count

    def report(self) -> dict[str, Any]:
        return {
            "decisions": self.decisions,
            "approved_before": self.approved_before,
            "approved_after": self.approved_after,
            "approved_to_refused": self.flips[APPROVED_TO_REFUSED],
            "refused_to_approved": self.flips[REFUSED_TO_APPROVED],
            "flips_by_reason": dict(sorted(self.by_reason.items())),
            "flips_by_score_band": dict(
                sorted(self.by_score_band.items(), key=lambda item: int(item[0].split("-")[0]))
            ),
            "approved_amount_before": self.approved_amount_before,
            "approved_amount_after": self.approved_amount_after,
            "average_corrected_rate_before": _average(self.rate_sum_before, self.approved_before),
            "average_corrected_rate_after": _average(self.rate_sum_after, self.approved_after),
        }


def _sum(mine: Any, theirs: Any) -> Any:
    """Numbers added; tables (flips by reason, by band) added key by key, a key only the other
    side has copied in. Any other kind is refused, not summed by accident (text would join)."""
    if isinstance(theirs, dict):
        for key, value in theirs.items():
            mine[key] = _sum(mine[key], value) if key in mine else deepcopy(value)
        return mine
    if isinstance(theirs, int | Decimal):
        return mine + theirs
    raise TypeError(f"A tally cannot add {type(theirs).__name__}")


def _average(total: Decimal, count: int) -> Decimal | None:
    return (total / count).quantize(Decimal("0.01")) if count else None


def _flip(row: tuple[Any, ...], after: Any) -> SimulationFlip:
    pk, customer_id, as_of, amount, _, tenure, approved, score, rate_before, reasons, _ = row
    return SimulationFlip(
        decision_id=pk,
        customer_id=customer_id,
        as_of=as_of,
        loan_amount=amount,
        tenure=tenure,
        approved_before=approved,
        credit_score_before=score,
        credit_score_after=after.credit.score,
        corrected_rate_before=rate_before,
        corrected_rate_after=after.corrected_interest_rate,
        reasons_before=[reason["code"] for reason in reasons],
        reasons_after=[str(reason.code) for reason in after.reasons],
    )


def _window(simulation: PolicySimulation) -> Any:
    """The decisions a simulation reads: recorded with figures, as of a day in its window."""
    return CreditDecision.objects.filter(
        as_of__gte=simulation.date_from, as_of__lte=simulation.date_to, figures__isnull=False
    )


def default_window(today: date) -> tuple[date, date]:
    """The last DEFAULT_WINDOW_DAYS days, today included: what the console's form offers."""
    return today - timedelta(days=DEFAULT_WINDOW_DAYS - 1), today


def candidate_of(simulation: PolicySimulation) -> Policy:
    """The candidate's rules as they were when the simulation was asked for."""
    return PolicyParameters.model_validate(simulation.parameters).to_policy(simulation.policy_id)


def rule_labels(simulation: PolicySimulation) -> dict[str, str]:
    """Each reason's code as the candidate's rule says it ("Installments over 40% of salary")."""
    policy = candidate_of(simulation)
    return {str(code): rule_label(code, policy) for code in rules_of(policy)}


def flips_by_rule(simulation: PolicySimulation, report: dict[str, Any]) -> dict[str, Any]:
    """The report's flips by reason, each named by the candidate's rule instead of its code."""
    labels = rule_labels(simulation)
    return {labels.get(code, code): counts for code, counts in report["flips_by_reason"].items()}


def tally_of(simulation: PolicySimulation) -> Tally:
    """The report's sums (none before the last chunk)."""
    return from_stored(Tally, simulation.tally) if simulation.tally else Tally()


def start_simulation(
    *, policy_version: int, date_from: date, date_to: date, requested_by: str
) -> PolicySimulation:
    """A queued simulation, its job started once the request's transaction commits;
    PolicyNotFound for an unknown version."""
    from decisions.tasks import run_simulation

    simulation = PolicySimulation.objects.create(
        policy_id=policy_version,
        parameters=get_version(policy_version).parameters,
        date_from=date_from,
        date_to=date_to,
        requested_by=requested_by,
    )
    jobs.start_after_commit(run_simulation, simulation.pk)
    return simulation


def latest_simulations() -> QuerySet[PolicySimulation]:
    return PolicySimulation.objects.select_related("policy").order_by("-id")


def get_simulation(simulation_id: int) -> PolicySimulation:
    found = PolicySimulation.objects.select_related("policy").filter(pk=simulation_id).first()
    if found is None:
        raise SimulationNotFound(simulation_id)
    return found


def run_simulation_job(simulation_id: int) -> None:
    """Plan the simulation into chunks (once), then hand its chunks to SIMULATION_RUNNERS
    runners, each a task any worker takes. A later delivery (the sweep's, once no chunk's commit
    has kept the simulation alive for a lease) hands the chunks left over to runners again."""
    simulation = PolicySimulation.objects.filter(pk=simulation_id).first()
    if simulation is None or simulation.finished:
        return
    if not simulation.chunks.exists() and not _plan(simulation_id):
        return
    from decisions.tasks import run_simulation_chunks

    # Runner threads of the embedded mode would only share one interpreter (and SQLite's lock).
    runners = 1 if settings.CELERY_TASK_ALWAYS_EAGER else settings.SIMULATION_RUNNERS
    for _ in range(runners):
        jobs.start(run_simulation_chunks, simulation_id)


def _plan(simulation_id: int) -> bool:
    """The window's ids cut into ranges of SIMULATION_CHUNK, in one commit with the total (one
    pass of the database; a decision's as_of is usually the day it was made, so a window's ids
    are close to contiguous and its chunks close to full); an empty window succeeds at once.
    False when there is nothing (more) to run: the job finished, or failed for good. JobBusy
    while another delivery plans it."""
    try:
        token = jobs.claim(PolicySimulation, simulation_id)
    except jobs.TooManyAttempts as exc:
        jobs.fail_unclaimable(PolicySimulation, simulation_id, str(exc))
        return False
    if token is None:
        return False
    run = jobs.JobRun(PolicySimulation, simulation_id, token)
    with run.step("planning") as simulation:
        # A run begun before simulations were cut into chunks left flips and progress of its
        # own: planned afresh, the simulation starts from none, or those decisions count twice.
        simulation.flips.all().delete()
        simulation.processed = 0
        bounds = _window(simulation).aggregate(first=Min("pk"), last=Max("pk"), total=Count("pk"))
        simulation.total = bounds["total"]
        if bounds["total"]:
            size, end = settings.SIMULATION_CHUNK, bounds["last"] + 1
            SimulationChunk.objects.bulk_create(
                SimulationChunk(
                    simulation=simulation,
                    first_decision_id=first,
                    end_decision_id=min(first + size, end),
                )
                for first in range(bounds["first"], end, size)
            )
    if not bounds["total"]:
        with run.finishing(JobStatus.SUCCEEDED) as simulation:
            simulation.tally = as_stored(Tally())
    return bool(bounds["total"])


def run_chunks(simulation_id: int) -> None:
    """Take the simulation's chunks one at a time, in id order, until none is left to take; a
    chunk whose runs keep dying fails the simulation."""
    pool = SimulationChunk.objects.filter(simulation_id=simulation_id).order_by("pk")
    while True:
        try:
            chunk = jobs.claim_next(pool)
        except jobs.TooManyAttempts as exc:
            _fail(simulation_id, str(exc))
            return
        if chunk is None:
            return
        run_claimed_chunk(chunk)


def run_claimed_chunk(chunk: SimulationChunk) -> None:
    """Decide the chunk's decisions again and commit its flips, its tally and the simulation's
    progress together; LeaseLost (logged) if a newer run took the chunk meanwhile."""
    assert chunk.run_token is not None  # claimed (jobs.claim_next, jobs.claim)
    run = jobs.JobRun(SimulationChunk, chunk.pk, chunk.run_token)
    try:
        tally, flips = _decide_chunk(chunk, run)
        with run.finishing(JobStatus.SUCCEEDED) as held:
            SimulationFlip.objects.bulk_create(flips)
            held.tally = as_stored(tally)
            _count_chunk(held, tally)
    except jobs.LeaseLost:
        logger.warning("Chunk %s was taken over by another run", chunk.pk)
    except Exception:
        _fail(chunk.simulation_id, "Internal error; see the log.")
        raise


def _decide_chunk(
    chunk: SimulationChunk, run: jobs.JobRun[SimulationChunk]
) -> tuple[Tally, list[SimulationFlip]]:
    """The chunk's tally and flips, its lease renewed as it computes (a chunk slower than the
    lease would otherwise look dead, be taken over and decided again, perhaps for ever)."""
    simulation = chunk.simulation
    policy = candidate_of(simulation)
    rows = (
        _window(simulation)
        .filter(pk__gte=chunk.first_decision_id, pk__lt=chunk.end_decision_id)
        .order_by("pk")
        .values_list(*_READ)
    )
    tally, flips = Tally(), []
    for decided, row in enumerate(rows):
        if decided % DECISIONS_BETWEEN_RENEWALS == 0:
            run.keep_alive("deciding")
        if (flip := tally.add(row, policy)) is not None:
            flips.append(flip)
    for flip in flips:
        flip.simulation_id = simulation.pk
    return tally, flips


def _count_chunk(chunk: SimulationChunk, tally: Tally) -> None:
    """The chunk's decisions added to the simulation's progress (which proves it alive); the
    last chunk to commit also sums every chunk's tally into the report and ends the job. The
    simulation's row lock orders the chunks' commits, so exactly one sees itself the last."""
    with transaction.atomic():
        simulation = PolicySimulation.objects.select_for_update().get(pk=chunk.simulation_id)
        simulation.processed += tally.decisions
        simulation.heartbeat_at = timezone.now()
        others = simulation.chunks.exclude(pk=chunk.pk)
        if not others.exclude(status=JobStatus.SUCCEEDED).exists():
            for stored in others.values_list("tally", flat=True).iterator():
                tally.merge(from_stored(Tally, stored))
            simulation.tally = as_stored(tally)
            simulation.status = JobStatus.SUCCEEDED
            simulation.phase = ""
            simulation.finished_at = simulation.heartbeat_at
            simulation.run_token = None
        simulation.save()


def _fail(simulation_id: int, message: str) -> None:
    """The simulation failed with `message`, and its chunks not done with it: no runner takes
    them again."""
    with transaction.atomic():
        # The chunks' rows first, then the simulation's, in the order a chunk's commit takes
        # them (_count_chunk): the other order could deadlock with a runner committing a chunk.
        unfinished = SimulationChunk.objects.filter(simulation_id=simulation_id).exclude(
            status=JobStatus.SUCCEEDED
        )
        list(unfinished.select_for_update().order_by("pk").values_list("pk", flat=True))
        jobs.fail_unclaimable(PolicySimulation, simulation_id, message)
        unfinished.update(status=JobStatus.FAILED, run_token=None, finished_at=timezone.now())


def flips_of(simulation: PolicySimulation) -> Iterator[list[Any]]:
    """The CSV's rows, read a page at a time by decision id (no server-side cursor, which a
    transaction-mode PgBouncer could not keep between the response's writes)."""
    rows = SimulationFlip.objects.filter(simulation=simulation).order_by("decision_id")
    labels = rule_labels(simulation)
    after = 0
    while page := list(rows.filter(decision_id__gt=after)[: settings.SIMULATION_CHUNK]):
        after = page[-1].decision_id
        yield from (_flip_row(flip, labels) for flip in page)


def _flip_row(flip: SimulationFlip, labels: dict[str, str]) -> list[Any]:
    return [
        flip.decision_id,
        flip.customer_id,
        flip.as_of,
        flip.loan_amount,
        flip.tenure,
        "approved" if flip.approved_before else "refused",
        "refused" if flip.approved_before else "approved",
        flip.credit_score_before,
        flip.credit_score_after,
        flip.corrected_rate_before,
        flip.corrected_rate_after,
        " ".join(flip.reasons_before),
        " ".join(flip.reasons_after),
        "; ".join(labels.get(code, code) for code in flip.reasons_after),
    ]


FLIP_COLUMNS = (
    "decision_id",
    "customer_id",
    "as_of",
    "loan_amount",
    "tenure",
    "before",
    "after",
    "credit_score_before",
    "credit_score_after",
    "corrected_rate_before",
    "corrected_rate_after",
    "reasons_before",
    "reasons_after",
    "reasons_after_rules",
)
