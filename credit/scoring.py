"""The credit score: an integer 0–100 from what a customer's loan history adds up to. Free of
Django on purpose.

Four factors; each has a sub-score in [0, 1] and earns weight × sub-score points, with the
weights and the sub-scores' constants taken from the policy version in force
(docs/credit-policy.md explains the choices with a worked example). The score is computed from
`Figures`, the few sums of the history it needs: a decision stores them, so it can be scored
again under any version, years later.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import NamedTuple

from credit.standing import ACTIVE, CLOSED, installments_due, is_current


class Factor(StrEnum):
    REPAYMENT_ON_TIME = "repayment_on_time"
    LOANS_TAKEN = "loans_taken"
    CURRENT_YEAR_ACTIVITY = "current_year_activity"
    APPROVED_VOLUME = "approved_volume"


@dataclass(frozen=True)
class ScoreParameters:
    """The score's part of a policy version."""

    weights: Mapping[Factor, Decimal]
    # Completed loans beyond this many add nothing more to the track record.
    completed_loans_for_full_marks: int
    # Each loan started this calendar year takes 1/this of the activity factor away.
    loans_this_year_to_lose_all: int


class LoanHistory(NamedTuple):
    """One loan as the score and the decision rules see it. A named tuple: an applicant's every
    loan is made one per decision, and a tuple is made in a third of a frozen dataclass's time."""

    amount: Decimal
    tenure: int
    monthly_installment: Decimal
    emis_paid_on_time: int
    start_date: date
    end_date: date
    closed: bool = False

    def is_current(self, as_of: date) -> bool:
        return is_current(CLOSED if self.closed else ACTIVE, self.end_date, as_of)

    def installments_due(self, as_of: date) -> int:
        return installments_due(self.start_date, self.tenure, as_of)


@dataclass(frozen=True)
class Figures:
    """What the policy reads of a customer on a day: salary, limit and the sums of the history
    behind each factor and rule."""

    monthly_salary: Decimal
    approved_limit: Decimal
    installments_due: int
    installments_paid_on_time: int
    completed_loans: int
    loans_started_this_year: int
    current_loans_amount: Decimal
    current_loans_installments: Decimal
    # Years at application, for the age at maturity; None in decisions recorded before it.
    age: int | None = None


def figures_of(
    monthly_salary: Decimal,
    approved_limit: Decimal,
    history: Iterable[LoanHistory],
    as_of: date,
    *,
    age: int | None = None,
) -> Figures:
    due = on_time = completed = started_this_year = 0
    current_amount = current_installments = Decimal(0)
    for loan in history:
        loan_due = loan.installments_due(as_of)
        due += loan_due
        on_time += min(loan.emis_paid_on_time, loan_due)
        if loan.is_current(as_of):
            current_amount += loan.amount
            current_installments += loan.monthly_installment
        else:
            completed += 1
        if loan.start_date.year == as_of.year:
            started_this_year += 1
    return Figures(
        monthly_salary=monthly_salary,
        approved_limit=approved_limit,
        installments_due=due,
        installments_paid_on_time=on_time,
        completed_loans=completed,
        loans_started_this_year=started_this_year,
        current_loans_amount=current_amount,
        current_loans_installments=current_installments,
        age=age,
    )


@dataclass(frozen=True)
class CreditScore:
    score: int
    points: dict[Factor, Decimal]
    current_debt_over_limit: bool


def _ratio(numerator: Decimal | int, denominator: Decimal | int) -> Decimal:
    return Decimal(numerator) / Decimal(denominator)


def sub_scores(figures: Figures, parameters: ScoreParameters) -> dict[Factor, Decimal]:
    """Each factor's sub-score in [0, 1]."""
    limit, current = figures.approved_limit, figures.current_loans_amount
    if limit > 0:
        volume = max(Decimal(0), 1 - _ratio(current, limit))
    else:
        volume = Decimal(1) if current == 0 else Decimal(0)
    full_marks = parameters.completed_loans_for_full_marks
    due = figures.installments_due
    return {
        Factor.REPAYMENT_ON_TIME: _ratio(figures.installments_paid_on_time, due)
        if due
        else Decimal(0),
        Factor.LOANS_TAKEN: _ratio(min(figures.completed_loans, full_marks), full_marks),
        Factor.CURRENT_YEAR_ACTIVITY: max(
            Decimal(0),
            1 - _ratio(figures.loans_started_this_year, parameters.loans_this_year_to_lose_all),
        ),
        Factor.APPROVED_VOLUME: volume,
    }


def credit_score(figures: Figures, parameters: ScoreParameters) -> CreditScore:
    subs = sub_scores(figures, parameters)
    points = {factor: parameters.weights[factor] * subs[factor] for factor in Factor}
    over_limit = figures.current_loans_amount > figures.approved_limit
    total = Decimal(0) if over_limit else sum(points.values(), Decimal(0))
    return CreditScore(
        score=int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP)),
        points=points,
        current_debt_over_limit=over_limit,
    )
