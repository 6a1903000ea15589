"""What the policy endpoints and the console's policy pages take and answer: a version's
parameters out, a draft's changes in."""

from decimal import Decimal
from typing import Annotated, Any

from pydantic import ConfigDict, Field

from core.contract import Declaration, Exact, Money, Timestamp, WholeNumber
from core.limits import LARGEST_ID
from policies.models import PolicyStatus, PolicyVersion
from policies.parameters import (
    Count,
    MaturityAge,
    Multiplier,
    OfferStep,
    Rate,
    ReferralLine,
    Rounding,
    Score,
    Share,
    Weight,
)


class WeightsOutput(Declaration):
    repayment_on_time: Money
    loans_taken: Money
    current_year_activity: Money
    approved_volume: Money


class RateFloorOutput(Declaration):
    min_score: int
    min_rate: Money


class PolicyOutput(Declaration):
    version: int
    status: PolicyStatus
    weights: WeightsOutput
    completed_loans_for_full_marks: int
    loans_this_year_to_lose_all: int
    rate_floors: list[RateFloorOutput] = Field(description="Best slab first.")
    minimum_score: int
    max_emi_share_of_salary: Exact
    limit_multiplier: Exact
    limit_rounding: Exact
    refer_above_amount: Money | None = Field(
        default=None,
        description="Loans above this amount wait for a second person's approval; null: never.",
    )
    counter_offer_step: Exact = Field(
        default=Decimal(1000),
        description="The largest-amount counter-offer is also offered rounded down to this.",
    )
    max_age_at_maturity: int | None = Field(
        default=None,
        description="The oldest a customer may be at a loan's last installment; null: no cap.",
    )
    based_on: int | None
    created_by: str
    created_at: Timestamp
    activated_by: str
    activated_at: Timestamp | None

    @classmethod
    def of(cls, row: PolicyVersion) -> "PolicyOutput":
        return cls.model_validate(
            {
                **row.parameters,
                "version": row.version,
                "status": row.status,
                "based_on": row.based_on_id,
                "created_by": row.created_by,
                "created_at": row.created_at,
                "activated_by": row.activated_by,
                "activated_at": row.activated_at,
            }
        )


class PolicyList(Declaration):
    results: list[PolicyOutput]


class WeightChanges(Declaration):
    """Any of the weights; the others keep the base version's. Together they add up to 100."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    repayment_on_time: Weight | None = None
    loans_taken: Weight | None = None
    current_year_activity: Weight | None = None
    approved_volume: Weight | None = None


class RateFloorInput(Declaration):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_score: Score
    min_rate: Rate


class PolicyChanges(Declaration):
    """Parameters to change; any left out keep the base version's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    weights: WeightChanges | None = None
    completed_loans_for_full_marks: Count | None = None
    loans_this_year_to_lose_all: Count | None = None
    rate_floors: list[RateFloorInput] | None = None
    minimum_score: Score | None = None
    max_emi_share_of_salary: Share | None = None
    limit_multiplier: Multiplier | None = None
    limit_rounding: Rounding | None = None
    refer_above_amount: ReferralLine | None = None
    counter_offer_step: OfferStep | None = None
    max_age_at_maturity: MaturityAge | None = None

    def changes(self) -> dict[str, Any]:
        """What the body changes: a parameter left out, or null, keeps the base's value."""
        return self.model_dump(
            mode="json", exclude_unset=True, exclude_none=True, exclude={"based_on"}
        )


class DraftInput(PolicyChanges):
    based_on: Annotated[int, WholeNumber(1, LARGEST_ID)] | None = Field(
        default=None, description="The version to start from; the active one when absent."
    )
