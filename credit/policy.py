"""The lending decision: credit score slabs, rate correction, the share-of-salary rule, the
approved limit, the age at maturity, and the counter-offers (the largest amount, also rounded
down to the policy's step, and the shortest tenure that pass).

The rules are code; every parameter they read is a `Policy`, a stored version of the policy
(policies.models). Pure and free of Django on purpose, so the same code decides
check-eligibility and create-loan, replays a recorded decision and simulates a candidate version.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from credit.emi import installment_factor, monthly_installment
from credit.limits import AMOUNT_DIGITS, MAX_TENURE_MONTHS, MIN_TENURE_MONTHS
from credit.money import PAISE, largest_money, to_paise
from credit.scoring import CreditScore, Figures, ScoreParameters, credit_score

LARGEST_AMOUNT = Decimal(largest_money(AMOUNT_DIGITS)) - PAISE


class ReasonCode(StrEnum):
    CREDIT_SCORE_TOO_LOW = "credit_score_too_low"
    EMI_OVER_HALF_SALARY = "emi_over_half_salary"
    APPROVED_LIMIT_EXCEEDED = "approved_limit_exceeded"
    AGE_AT_MATURITY_EXCEEDED = "age_at_maturity_exceeded"


@dataclass(frozen=True)
class RateFloor:
    """Scores from `min_score` up (to the next slab) borrow at `min_rate` or more."""

    min_score: int
    min_rate: Decimal


@dataclass(frozen=True)
class Policy:
    """Every parameter of the credit policy, as one stored version holds them."""

    version: int
    score: ScoreParameters
    rate_floors: tuple[RateFloor, ...]  # best slab first
    minimum_score: int
    max_emi_share_of_salary: Decimal
    limit_multiplier: Decimal
    limit_rounding: Decimal
    # Loans above this amount (rupees) wait for a second person's approval; None: never.
    refer_above_amount: Decimal | None = None
    # The largest-amount counter-offer is also offered rounded down to a multiple of this.
    counter_offer_step: Decimal = Decimal(1000)
    # The oldest a customer may be at the loan's last installment, in years; None: no cap.
    max_age_at_maturity: int | None = None


@dataclass(frozen=True)
class LoanRequest:
    amount: Decimal
    interest_rate: Decimal
    tenure: int


@dataclass(frozen=True)
class Reason:
    """A failed rule with the figures its sentence names: the API's message writes them as
    the contract has it (88848.79), the console in its own format (₹ 88,848.79)."""

    code: ReasonCode
    figures: tuple[tuple[str, Decimal | int | bool], ...]

    @property
    def message(self) -> str:
        return self.describe(str)

    def describe(self, amount: Callable[[Decimal], str]) -> str:
        """The sentence, with each sum of money written by `amount`."""
        named: dict[str, Any] = dict(self.figures)
        if self.code is ReasonCode.CREDIT_SCORE_TOO_LOW:
            why = (
                "current loans already exceed the approved limit"
                if named["over_limit"]
                else f"the minimum is {named['minimum']}"
            )
            return f"Credit score {named['score']} is too low: {why}."
        if self.code is ReasonCode.AGE_AT_MATURITY_EXCEEDED:
            return (
                f"Age at maturity would be {_years(named['age'] * 12 + named['tenure'])}, more "
                f"than the policy's maximum of {named['cap']} years."
            )
        if self.code is ReasonCode.EMI_OVER_HALF_SALARY:
            return (
                f"Monthly installments would total {amount(named['total'])}, more than "
                f"{percent_of(named['share'])}% of the monthly salary ({amount(named['cap'])})."
            )
        return (
            f"Current loans plus this one would total {amount(named['total'])}, more than the "
            f"approved limit ({amount(named['limit'])})."
        )

    def as_dict(self) -> dict[str, str]:
        """As the API answers it and the audit trail records it."""
        return {"code": str(self.code), "message": self.message}


@dataclass(frozen=True)
class Decision:
    approved: bool
    credit: CreditScore
    request: LoanRequest
    corrected_interest_rate: Decimal
    monthly_installment: Decimal
    rules: dict[ReasonCode, bool]
    reasons: tuple[Reason, ...]
    # Counter-offers at the corrected rate: the largest amount for the requested tenure, and the
    # shortest tenure for the requested amount, that pass every rule; None when none does.
    max_eligible_amount: Decimal | None
    min_tenure_months: int | None


def approved_limit_for(monthly_income: Decimal, policy: Policy) -> Decimal:
    """The multiple of the income, to the nearest rounding unit (a lakh); a half rounds up."""
    units = (policy.limit_multiplier * monthly_income / policy.limit_rounding).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    return units * policy.limit_rounding


def rate_floor(score: int, policy: Policy) -> Decimal | None:
    """The lowest rate a score may borrow at, or None when the score is too low to lend to."""
    if score < policy.minimum_score:
        return None
    for slab in policy.rate_floors:
        if score >= slab.min_score:
            return slab.min_rate
    return None


def installment_cap(figures: Figures, policy: Policy) -> Decimal:
    """What the new loan's installment may be, with the current loans' installments."""
    return to_paise(figures.monthly_salary * policy.max_emi_share_of_salary)


def percent_of(share: Decimal) -> str:
    """A share kept as a fraction, as people read it in percent: 0.4000 is "40", 0.4050 "40.5".
    The one conversion between the two (share_of is its inverse)."""
    return format((share * 100).normalize(), "f")


def _years(months: int) -> str:
    """68 years 1 month; 65 years."""
    years, over = divmod(months, 12)
    if not over:
        return f"{years} years"
    return f"{years} years {over} month{'' if over == 1 else 's'}"


def longest_tenure_for_age(figures: Figures, policy: Policy) -> int | None:
    """The most months the customer's age leaves before the policy's maximum age at maturity
    (age at application + tenure in years may not exceed it); None when the policy has no cap,
    or the figures no age (decisions recorded before they kept it)."""
    if policy.max_age_at_maturity is None or figures.age is None:
        return None
    return _months_left(figures.age, policy.max_age_at_maturity)


def _months_left(age: int, cap: int) -> int:
    return (cap - age) * 12


def _age_at_maturity_exceeded(figures: Figures, tenure: int, policy: Policy) -> Reason | None:
    cap, age = policy.max_age_at_maturity, figures.age
    if cap is None or age is None or tenure <= _months_left(age, cap):
        return None
    return Reason(
        ReasonCode.AGE_AT_MATURITY_EXCEEDED, (("age", age), ("tenure", tenure), ("cap", cap))
    )


def rules_of(policy: Policy) -> tuple[ReasonCode, ...]:
    """The rules a version applies: the age at maturity only where it sets a cap, so a decision
    under a version without one records the rules it always did."""
    if policy.max_age_at_maturity is None:
        return tuple(code for code in ReasonCode if code is not ReasonCode.AGE_AT_MATURITY_EXCEEDED)
    return tuple(ReasonCode)


def rounded_offer(amount: Decimal | None, policy: Policy) -> Decimal | None:
    """`amount` rounded down to a multiple of the policy's counter_offer_step, the amount an
    officer offers; None when below one step. Never more than `amount`, and a decision's
    outcome never grows worse as the amount falls, so a passing amount rounded still passes."""
    if amount is None:
        return None
    rounded = (amount // policy.counter_offer_step) * policy.counter_offer_step
    return rounded if rounded > 0 else None


def share_of(percent: Decimal) -> Decimal:
    """The fraction a percent stands for: 40 is 0.4."""
    return percent / 100


def rule_label(code: ReasonCode, policy: Policy) -> str:
    """What the rule behind `code` says under `policy`, short: a report's row names a flip's
    reason by it ("Installments over 40% of salary"), not by its code."""
    if code is ReasonCode.CREDIT_SCORE_TOO_LOW:
        return f"Credit score below {policy.minimum_score}"
    if code is ReasonCode.EMI_OVER_HALF_SALARY:
        return f"Installments over {percent_of(policy.max_emi_share_of_salary)}% of salary"
    if code is ReasonCode.AGE_AT_MATURITY_EXCEEDED:
        return f"Older than {policy.max_age_at_maturity} at the loan's end"
    return "Loans over the approved limit"


def decide(
    figures: Figures, request: LoanRequest, policy: Policy, *, with_offers: bool = True
) -> Decision:
    """`with_offers=False` leaves the counter-offers out (None): a simulation of a million
    decisions compares outcomes only, and the offers are most of a decision's cost."""
    credit = credit_score(figures, policy.score)
    floor = rate_floor(credit.score, policy)
    corrected_rate = request.interest_rate
    if floor is not None and request.interest_rate < floor:
        corrected_rate = floor
    installment = monthly_installment(request.amount, corrected_rate, request.tenure)
    emi_total = figures.current_loans_installments + installment
    emi_cap = installment_cap(figures, policy)
    amount_total = figures.current_loans_amount + request.amount

    reasons: list[Reason] = []
    if floor is None:
        score_figures = (
            ("score", credit.score),
            ("minimum", policy.minimum_score),
            ("over_limit", credit.current_debt_over_limit),
        )
        reasons.append(Reason(ReasonCode.CREDIT_SCORE_TOO_LOW, score_figures))
    if emi_total > emi_cap:
        emi_figures = (
            ("total", emi_total),
            ("share", policy.max_emi_share_of_salary),
            ("cap", emi_cap),
        )
        reasons.append(Reason(ReasonCode.EMI_OVER_HALF_SALARY, emi_figures))
    if amount_total > figures.approved_limit:
        limit_figures = (
            ("total", to_paise(amount_total)),
            ("limit", to_paise(figures.approved_limit)),
        )
        reasons.append(Reason(ReasonCode.APPROVED_LIMIT_EXCEEDED, limit_figures))
    too_old = _age_at_maturity_exceeded(figures, request.tenure, policy)
    if too_old is not None:
        reasons.append(too_old)
    failed = {reason.code for reason in reasons}
    lendable = with_offers and floor is not None
    return Decision(
        approved=not reasons,
        credit=credit,
        request=request,
        corrected_interest_rate=corrected_rate,
        monthly_installment=installment,
        rules={code: code not in failed for code in rules_of(policy)},
        reasons=tuple(reasons),
        max_eligible_amount=max_eligible_amount(figures, corrected_rate, request.tenure, policy)
        if lendable
        else None,
        min_tenure_months=min_tenure_months(figures, request.amount, corrected_rate, policy)
        if lendable
        else None,
    )


def needs_referral(decision: Decision, policy: Policy) -> bool:
    """Whether an application that passes every rule still needs a second person (four eyes):
    it asks for more than the policy's referral line."""
    line = policy.refer_above_amount
    return decision.approved and line is not None and decision.request.amount > line


def max_eligible_amount(
    figures: Figures, rate: Decimal, tenure: int, policy: Policy
) -> Decimal | None:
    """The largest amount, to the paisa, whose installment (rounded as a booked loan's is)
    fits under the cap beside the current installments and whose total fits the limit; None
    when not even a paisa does, or when the tenure itself breaks the age at maturity. The score
    and the rate do not depend on the amount, so this amount, asked for, is approved, and a
    paisa more is refused."""
    longest = longest_tenure_for_age(figures, policy)
    if longest is not None and tenure > longest:
        return None
    headroom = figures.approved_limit - figures.current_loans_amount
    room = installment_cap(figures, policy) - figures.current_loans_installments
    if headroom < PAISE or room < 0:
        return None
    best = min(headroom, LARGEST_AMOUNT, _largest_amount_for(room, rate, tenure))
    return best if best >= PAISE else None


def _largest_amount_for(room: Decimal, rate: Decimal, tenure: int) -> Decimal:
    """The largest amount whose installment, rounded half-up to the paisa, is at most `room`.

    The installment grows with the amount by a factor `per_rupee` (its installment for one
    rupee), so the answer is close to (room + half a paisa) / per_rupee; the exact rounding of
    monthly_installment settles the last paise."""
    per_rupee = installment_factor(rate, tenure)
    guess = ((room + PAISE / 2) / per_rupee).quantize(PAISE, rounding=ROUND_DOWN)
    while guess > 0 and monthly_installment(guess, rate, tenure) > room:
        guess -= PAISE
    while monthly_installment(guess + PAISE, rate, tenure) <= room:
        guess += PAISE
    return guess


def min_tenure_months(
    figures: Figures, amount: Decimal, rate: Decimal, policy: Policy
) -> int | None:
    """The shortest tenure in months at which `amount` passes every rule; None when none does.
    Only the installment and the age at maturity depend on the tenure; the installment falls as
    the tenure grows: the tenure that brings it under the room is worked out in floating point,
    then settled with the exact installment a month either side. The shortest such tenure
    respects the age cap if any tenure does."""
    if figures.current_loans_amount + amount > figures.approved_limit:
        return None
    room = installment_cap(figures, policy) - figures.current_loans_installments

    def fits(months: int) -> bool:
        return monthly_installment(amount, rate, months) <= room

    months = min(max(_months_for(float(amount), float(rate) / 1200, float(room)), 1), 360)
    while months < MAX_TENURE_MONTHS and not fits(months):
        months += 1
    while months > MIN_TENURE_MONTHS and fits(months - 1):
        months -= 1
    longest = longest_tenure_for_age(figures, policy)
    within_age = longest is None or months <= longest
    return months if fits(months) and within_age else None


def _months_for(amount: float, monthly: float, room: float) -> int:
    """About the fewest months whose installment on `amount` at `monthly` is within `room`."""
    if room <= 0:
        return MAX_TENURE_MONTHS
    if monthly == 0:
        return math.ceil(amount / room)
    share = amount * monthly / room  # the part of the room the first month's interest takes
    if share >= 1:
        return MAX_TENURE_MONTHS
    return math.ceil(-math.log(1 - share) / math.log(1 + monthly))
