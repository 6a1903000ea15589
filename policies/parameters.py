"""A policy version's parameters, declared once: they validate a draft (the API's request), are
stored as their JSON (decimals as text, so no float ever holds a rate or a share), and become
the `Policy` the rules read."""

from decimal import Decimal
from itertools import pairwise
from typing import Annotated, Any

from pydantic import ConfigDict, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from core.contract import Amount, Declaration, WholeNumber
from credit.limits import AMOUNT_DIGITS
from credit.policy import Policy, RateFloor
from credit.scoring import Factor, ScoreParameters

Weight = Annotated[Decimal, Amount(5, ge=0, le=100)]
Score = Annotated[int, WholeNumber(0, 100)]
Rate = Annotated[Decimal, Amount(5, ge=0, le=100)]
Count = Annotated[int, WholeNumber(1, 100)]
Share = Annotated[Decimal, Amount(5, places=4, gt=0, le=1)]
Multiplier = Annotated[Decimal, Amount(8, gt=0, le=1000)]
Rounding = Annotated[Decimal, Amount(12, places=0, gt=0, le=10**9)]
ReferralLine = Annotated[Decimal, Amount(AMOUNT_DIGITS, gt=0)]
OfferStep = Annotated[Decimal, Amount(AMOUNT_DIGITS, places=0, gt=0)]
# From the youngest customer's age up: a customer of 100 with a 30-year loan ends it at 130.
MaturityAge = Annotated[int, WholeNumber(18, 130)]


class Weights(Declaration):
    """Points each factor may earn; they add up to 100."""

    repayment_on_time: Weight
    loans_taken: Weight
    current_year_activity: Weight
    approved_volume: Weight

    @model_validator(mode="after")
    def add_up_to_100(self) -> "Weights":
        total = sum(self.as_points().values(), Decimal(0))
        if total != 100:
            raise PydanticCustomError(
                "weights_total", "Must add up to 100, not {total}.", {"total": str(total)}
            )
        return self

    def as_points(self) -> dict[Factor, Decimal]:
        return {factor: getattr(self, str(factor)) for factor in Factor}


class RateFloorParameters(Declaration):
    min_score: Score
    min_rate: Rate


class PolicyParameters(Declaration):
    model_config = ConfigDict(extra="forbid", frozen=True, from_attributes=True)

    weights: Weights
    completed_loans_for_full_marks: Count
    loans_this_year_to_lose_all: Count
    rate_floors: list[RateFloorParameters]
    minimum_score: Score
    max_emi_share_of_salary: Share
    limit_multiplier: Multiplier
    limit_rounding: Rounding
    # Absent from the versions made before it (version 1): none of them refers a loan.
    refer_above_amount: ReferralLine | None = None
    # Absent from the versions made before them until policies' migration 0006 wrote them in.
    counter_offer_step: OfferStep = Decimal(1000)
    max_age_at_maturity: MaturityAge | None = None

    @field_validator("rate_floors")
    @classmethod
    def best_slab_first(cls, slabs: list[RateFloorParameters]) -> list[RateFloorParameters]:
        if not slabs:
            raise PydanticCustomError("no_slabs", "At least one slab is needed.")
        for better, worse in pairwise(slabs):
            if worse.min_score >= better.min_score:
                raise PydanticCustomError(
                    "slab_order", "Slabs go from the best score down: each min_score lower."
                )
            if worse.min_rate < better.min_rate:
                raise PydanticCustomError(
                    "slab_rates", "A lower slab may not borrow at a lower min_rate."
                )
        return slabs

    @field_validator("minimum_score")
    @classmethod
    def every_lendable_score_has_a_slab(cls, minimum: int, info: ValidationInfo) -> int:
        slabs = info.data.get("rate_floors")
        if slabs and slabs[-1].min_score > minimum:
            raise PydanticCustomError(
                "minimum_below_slabs",
                "Must be at least the lowest slab's min_score ({lowest}), so that every score "
                "lent to has a rate floor.",
                {"lowest": slabs[-1].min_score},
            )
        return minimum

    def to_policy(self, version: int) -> Policy:
        return Policy(
            version=version,
            score=ScoreParameters(
                weights=self.weights.as_points(),
                completed_loans_for_full_marks=self.completed_loans_for_full_marks,
                loans_this_year_to_lose_all=self.loans_this_year_to_lose_all,
            ),
            rate_floors=tuple(
                RateFloor(slab.min_score, slab.min_rate) for slab in self.rate_floors
            ),
            minimum_score=self.minimum_score,
            max_emi_share_of_salary=self.max_emi_share_of_salary,
            limit_multiplier=self.limit_multiplier,
            limit_rounding=self.limit_rounding,
            refer_above_amount=self.refer_above_amount,
            counter_offer_step=self.counter_offer_step,
            max_age_at_maturity=self.max_age_at_maturity,
        )

    def stored(self) -> dict[str, Any]:
        """As policies.models.PolicyVersion.parameters keeps them: decimals as text."""
        return self.model_dump(mode="json")
