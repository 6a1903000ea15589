"""A recorded decision as the console shows it, on the application page and the decision's own
page: read from its audit-trail record, so what an officer sees is what was recorded."""

from dataclasses import dataclass
from decimal import Decimal

from approvals.selectors import approval_of_decision
from console import charts
from console.templatetags.figures import money, rupees
from credit.policy import ReasonCode, rounded_offer
from credit.scoring import Factor
from decisions.models import CreditDecision, DecisionKind
from decisions.replay import decision_again
from policies.selectors import policy_version

RULES = {
    ReasonCode.CREDIT_SCORE_TOO_LOW: "Credit score at least the policy's minimum",
    ReasonCode.EMI_OVER_HALF_SALARY: "Installments within the share of salary",
    ReasonCode.APPROVED_LIMIT_EXCEEDED: "Loans within the approved limit",
    ReasonCode.AGE_AT_MATURITY_EXCEEDED: "Age at maturity within the policy's maximum",
}
FACTORS = {
    Factor.REPAYMENT_ON_TIME: "Repayment on time",
    Factor.LOANS_TAKEN: "Loans taken",
    Factor.CURRENT_YEAR_ACTIVITY: "Current-year activity",
    Factor.APPROVED_VOLUME: "Approved volume",
}


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    passed: bool


@dataclass(frozen=True)
class DecisionPanel:
    record: CreditDecision
    kind: str
    rules: tuple[Rule, ...]
    reasons: tuple[str, ...]
    score_chart: charts.Bars
    # A referred application's approval request (four eyes).
    referral_id: int | None = None
    # The largest amount rounded down to the version's counter_offer_step, when that differs.
    rounded_offer: Decimal | None = None

    @property
    def rate_corrected(self) -> bool:
        return bool(self.record.corrected_interest_rate != self.record.interest_rate)


def decision_panel(record: CreditDecision) -> DecisionPanel:
    points = {Factor(name): Decimal(value) for name, value in record.score_breakdown.items()}
    policy = policy_version(record.policy_version_id)
    weights = policy.score.weights
    values = [
        (FACTORS[factor], points[factor], f"{money(points[factor])} of {money(weights[factor])}")
        for factor in Factor
    ]
    score_chart = charts.bars(
        f"Credit score {record.credit_score}: points per factor",
        values,
        of=[weights[factor] for factor in Factor],
    )
    rules = tuple(
        Rule(code, RULES.get(ReasonCode(code), code), passed)
        for code, passed in record.rules.items()
    )
    return DecisionPanel(
        record=record,
        kind=DecisionKind(record.kind).label,
        rules=rules,
        reasons=reasons_written(record),
        score_chart=score_chart,
        referral_id=approval_of_decision(record.pk)
        if record.kind == DecisionKind.REFERRED
        else None,
        rounded_offer=_rounded_beside(
            record.max_eligible_amount, rounded_offer(record.max_eligible_amount, policy)
        ),
    )


def _rounded_beside(exact: Decimal | None, rounded: Decimal | None) -> Decimal | None:
    """The rounded offer, offered beside the exact one only where they differ."""
    return None if rounded == exact else rounded


def reasons_written(record: CreditDecision) -> tuple[str, ...]:
    """The record's reasons in the console's format, written from their codes and the figures
    the rules compared: the case decided again from what the record kept, under its own version
    (offers left out). A record without its figures, or one whose codes the rules no longer give,
    shows the message it recorded."""
    recorded = tuple(reason["message"] for reason in record.reasons)
    if not record.reasons or record.figures is None:
        return recorded
    again = decision_again(record, record.policy_version_id, with_offers=False).reasons
    if [str(reason.code) for reason in again] != [reason["code"] for reason in record.reasons]:
        return recorded
    return tuple(reason.describe(rupees) for reason in again)
