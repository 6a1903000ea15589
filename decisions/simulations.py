"""Champion/challenger, offline: a candidate version decides again every decision recorded with
an as-of date in a window, from the figures each one kept, and the report says what would
change. A background job (core.jobs) streams the decisions in chunks of SIMULATION_CHUNK; each
chunk's flips, its part of the report and the run's progress commit together, so a restarted
run resumes after the last chunk and counts every decision once.
"""

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from core import jobs
from core.jobs import JobStatus
from credit.money import as_stored, from_stored
from credit.policy import LoanRequest, Policy, decide, rule_label, rules_of
from credit.scoring import Figures
from decisions.errors import SimulationNotFound
from decisions.models import CreditDecision, PolicySimulation, SimulationFlip
from policies.parameters import PolicyParameters
from policies.selectors import get_version

logger = logging.getLogger(__name__)

APPROVED_TO_REFUSED, REFUSED_TO_APPROVED = "approved_to_refused", "refused_to_approved"
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

    @staticmethod
    def _count(table: dict[str, dict[str, int]], key: str, flip: str) -> None:
        counts = table.setdefault(key, {APPROVED_TO_REFUSED: 0, REFUSED_TO_APPROVED: 0})
        counts[flip] += 1

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
    """The report's sums so far (none before the first chunk)."""
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
    """Run or resume the simulation; JobBusy while another run holds it."""
    try:
        token = jobs.claim(PolicySimulation, simulation_id)
    except jobs.TooManyAttempts as exc:
        jobs.fail_unclaimable(PolicySimulation, simulation_id, str(exc))
        return
    if token is None:
        return
    run = jobs.JobRun(PolicySimulation, simulation_id, token)
    try:
        _simulate(run)
    except jobs.LeaseLost:
        logger.warning("Simulation %s was taken over by another run", simulation_id)
    except Exception:
        with run.finishing(JobStatus.FAILED) as simulation:
            simulation.note_failure("Internal error; see the log.")
        raise


def _simulate(run: jobs.JobRun[PolicySimulation]) -> None:
    with run.step("counting") as simulation:
        if not simulation.total:
            simulation.total = _window(simulation).count()
    policy = candidate_of(simulation)
    for chunk in _chunks(simulation):
        tally = tally_of(simulation)
        flips = [flip for row in chunk if (flip := tally.add(row, policy)) is not None]
        with run.step("simulating", durable=False) as simulation:
            for flip in flips:
                flip.simulation_id = simulation.pk
            SimulationFlip.objects.bulk_create(flips)
            simulation.tally = as_stored(tally)
            simulation.processed += len(chunk)
            simulation.last_decision_id = chunk[-1][0]
    with run.finishing(JobStatus.SUCCEEDED):
        pass


def _chunks(simulation: PolicySimulation) -> Iterator[list[tuple[Any, ...]]]:
    """The window's decisions in id order, SIMULATION_CHUNK at a time, after the last one a
    run committed (read afresh: the step that committed it updated the row)."""
    window = _window(simulation).order_by("pk").values_list(*_READ)
    after = simulation.last_decision_id
    while chunk := list(window.filter(pk__gt=after)[: settings.SIMULATION_CHUNK]):
        yield chunk
        after = chunk[-1][0]


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
