"""A policy version's parameters, declared once: they validate a draft (the API's request), are
stored as their JSON (decimals as text, so no float ever holds a rate or a share), and become
the `Policy` the rules read. Each field's title is the label people read for it (the console's
form and its version, compare and activate pages); a share's `InPercent` says people type and
read it in percent while the API and the store keep the fraction."""

from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import Annotated, Any

from pydantic import (
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from core.contract import Amount, Declaration, WholeNumber
from credit.limits import AMOUNT_DIGITS
from credit.policy import Policy, RateFloor, percent_of
from credit.scoring import Factor, ScoreParameters


@dataclass(frozen=True)
class InPercent:
    """Marks a share stored as a fraction (0.4000) that people type and read in percent (40)."""


Weight = Annotated[Decimal, Amount(5, ge=0, le=100)]
Score = Annotated[int, WholeNumber(0, 100)]
Rate = Annotated[Decimal, Amount(5, ge=0, le=100)]
Count = Annotated[int, WholeNumber(1, 100)]
Share = Annotated[Decimal, Amount(5, places=4, gt=0, le=1), InPercent()]
Multiplier = Annotated[Decimal, Amount(8, gt=0, le=1000)]
Rounding = Annotated[Decimal, Amount(12, places=0, gt=0, le=10**9)]
ReferralLine = Annotated[Decimal, Amount(AMOUNT_DIGITS, gt=0)]
OfferStep = Annotated[Decimal, Amount(AMOUNT_DIGITS, places=0, gt=0)]
# From the youngest customer's age up: a customer of 100 with a 30-year loan ends it at 130.
MaturityAge = Annotated[int, WholeNumber(18, 130)]


class Weights(Declaration):
    """Points each factor may earn; they add up to 100."""

    repayment_on_time: Weight = Field(title="Weight: repayment on time")
    loans_taken: Weight = Field(title="Weight: loans taken")
    current_year_activity: Weight = Field(title="Weight: current-year activity")
    approved_volume: Weight = Field(title="Weight: approved volume")

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
    min_score: Score = Field(title="from score")
    min_rate: Rate = Field(title="lowest rate")


class PolicyParameters(Declaration):
    model_config = ConfigDict(extra="forbid", frozen=True, from_attributes=True)

    weights: Weights = Field(title="Score weights")
    completed_loans_for_full_marks: Count = Field(title="Completed loans for full marks")
    loans_this_year_to_lose_all: Count = Field(
        title="Loans this year that take all the activity points"
    )
    rate_floors: list[RateFloorParameters] = Field(title="Rate slabs")
    minimum_score: Score = Field(title="Minimum score")
    max_emi_share_of_salary: Share = Field(title="Installments as a share of salary")
    limit_multiplier: Multiplier = Field(title="Approved limit: multiple of income")
    limit_rounding: Rounding = Field(title="Approved limit: rounded to")
    # Absent from the versions made before it (version 1): none of them refers a loan.
    refer_above_amount: ReferralLine | None = Field(
        default=None, title="Loans above this amount wait for a second person"
    )
    # Absent from the versions made before them until policies' migration 0006 wrote them in.
    counter_offer_step: OfferStep = Field(
        default=Decimal(1000), title="Counter-offers: amount rounded down to (₹)"
    )
    max_age_at_maturity: MaturityAge | None = Field(
        default=None, title="Largest age at the loan's end (years)"
    )

    @field_validator("rate_floors")
    @classmethod
    def best_slab_first(cls, slabs: list[RateFloorParameters]) -> list[RateFloorParameters]:
        """Every slab out of order, each named by its own field, so a form shows them all."""
        if not slabs:
            raise PydanticCustomError("no_slabs", "At least one slab is needed.")
        problems = []
        for index, (better, worse) in enumerate(pairwise(slabs), start=1):
            if worse.min_score >= better.min_score:
                problems.append(
                    _problem(
                        (index, "min_score"),
                        worse.min_score,
                        "slab_order",
                        "Slabs go from the best score down: each min_score lower.",
                    )
                )
            if worse.min_rate < better.min_rate:
                problems.append(
                    _problem(
                        (index, "min_rate"),
                        worse.min_rate,
                        "slab_rates",
                        "A lower slab may not borrow at a lower min_rate.",
                    )
                )
        if problems:
            raise ValidationError.from_exception_data(cls.__name__, problems)
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

    def warnings(self) -> dict[str, str]:
        """What passes every rule but is likely not what was meant, by the field it is about:
        a slab that starts below the minimum score (the scores between are refused) or lies
        wholly below it (never used)."""
        found = {}
        top = 100
        for index, slab in enumerate(self.rate_floors):
            if slab.min_score < self.minimum_score:
                found[f"rate_floors.{index}.min_score"] = (
                    f"Slab {index + 1} (scores {slab.min_score}–{top}) is never used: the "
                    f"minimum score is {self.minimum_score}."
                    if top < self.minimum_score
                    else f"Slab {index + 1} starts at {slab.min_score}, below the minimum "
                    f"score ({self.minimum_score}): scores {slab.min_score}–"
                    f"{self.minimum_score - 1} are refused."
                )
            top = slab.min_score - 1
        return found

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


def _problem(where: tuple[int, str], value: Any, kind: str, message: str) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError(kind, message), loc=where, input=value)


def label(name: str) -> str:
    """The label of a parameter named as the pages and errors name it: `minimum_score`,
    `weights.loans_taken`, `rate_floors.2` (the second slab, counted from 1)."""
    group, _, part = name.partition(".")
    if group == "weights" and part:
        return Weights.model_fields[part].title or name
    if group == "rate_floors" and part:
        return f"Slab {part}"
    field = PolicyParameters.model_fields.get(name)
    return field.title if field and field.title else name


def _metadata(name: str) -> list[Any]:
    field = PolicyParameters.model_fields.get(name)
    return field.metadata if field else []


def in_percent(name: str) -> bool:
    """Whether parameter `name` is a share people type and read in percent."""
    return any(isinstance(meta, InPercent) for meta in _metadata(name))


def percent_refusal(name: str) -> str:
    """Why a number is refused for share `name`, in percent and from its Amount's bounds."""
    bounds = next(meta for meta in _metadata(name) if isinstance(meta, Amount))
    return (
        f"Must be more than {percent_of(Decimal(bounds.gt or 0))}% and at most "
        f"{percent_of(Decimal(bounds.le or 0))}%, with at most {bounds.places - 2} decimals."
    )
