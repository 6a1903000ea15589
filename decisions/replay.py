"""A recorded decision made again from what it was made from: its figures and request, under
the policy version it recorded (or another, as a what-if for one case)."""

from dataclasses import dataclass
from decimal import Decimal

from credit.money import from_stored
from credit.policy import Decision, LoanRequest, decide
from credit.scoring import Figures
from decisions.errors import NotReplayable
from decisions.models import CreditDecision
from decisions.selectors import get_decision
from policies import selectors as policies


@dataclass(frozen=True)
class Outcome:
    """What a decision answered, as replay compares it."""

    approval: bool
    credit_score: int
    corrected_interest_rate: Decimal
    monthly_installment: Decimal
    max_eligible_amount: Decimal | None
    reason_codes: tuple[str, ...]

    @classmethod
    def recorded(cls, record: CreditDecision) -> "Outcome":
        return cls(
            approval=record.approved,
            credit_score=record.credit_score,
            corrected_interest_rate=record.corrected_interest_rate,
            monthly_installment=record.monthly_installment,
            max_eligible_amount=record.max_eligible_amount,
            reason_codes=tuple(reason["code"] for reason in record.reasons),
        )

    @classmethod
    def made(cls, decision: Decision) -> "Outcome":
        return cls(
            approval=decision.approved,
            credit_score=decision.credit.score,
            corrected_interest_rate=decision.corrected_interest_rate,
            monthly_installment=decision.monthly_installment,
            max_eligible_amount=decision.max_eligible_amount,
            reason_codes=tuple(str(reason.code) for reason in decision.reasons),
        )


@dataclass(frozen=True)
class Replay:
    decision_id: int
    policy_version: int
    recorded: Outcome
    replayed: Outcome

    @property
    def matches(self) -> bool:
        return self.recorded == self.replayed


def decision_again(
    record: CreditDecision, policy_version: int, *, with_offers: bool = True
) -> Decision:
    """The recorded decision's case decided under `policy_version`."""
    assert record.figures is not None, "only a replayable decision is decided again"
    request = LoanRequest(
        amount=record.loan_amount, interest_rate=record.interest_rate, tenure=record.tenure
    )
    policy = policies.policy_version(policy_version)
    return decide(from_stored(Figures, record.figures), request, policy, with_offers=with_offers)


def replay(decision_id: int, *, policy_version: int | None = None) -> Replay:
    """NotReplayable for a decision recorded before decisions kept their figures (and a
    version number); PolicyNotFound for an unknown `policy_version`."""
    record = get_decision(decision_id)
    if record.figures is None:
        raise NotReplayable(record.pk)
    chosen = policy_version if policy_version is not None else record.policy_version_id
    return Replay(
        decision_id=record.pk,
        policy_version=chosen,
        recorded=Outcome.recorded(record),
        replayed=Outcome.made(decision_again(record, chosen)),
    )
