"""The credit score: an integer 0–100 from a customer's loan history. Free of Django on purpose.

Four factors with the original weights; each has a sub-score in [0, 1] and earns
weight × sub-score points. docs/credit-policy.md explains the choices with a worked example.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from loans.standing import ACTIVE, CLOSED, installments_due, is_current


class Factor(StrEnum):
    REPAYMENT_ON_TIME = "repayment_on_time"
    LOANS_TAKEN = "loans_taken"
    CURRENT_YEAR_ACTIVITY = "current_year_activity"
    APPROVED_VOLUME = "approved_volume"


WEIGHTS: dict[Factor, Decimal] = {
    Factor.REPAYMENT_ON_TIME: Decimal(35),
    Factor.LOANS_TAKEN: Decimal(25),
    Factor.CURRENT_YEAR_ACTIVITY: Decimal(25),
    Factor.APPROVED_VOLUME: Decimal(15),
}

# Completed loans beyond this many add nothing more to the track record.
COMPLETED_LOANS_FOR_FULL_MARKS = 5
# Each loan started this calendar year takes a quarter of the activity factor away.
LOANS_THIS_YEAR_TO_LOSE_ALL = 4


@dataclass(frozen=True)
class LoanHistory:
    """One loan as the score and the decision rules see it."""

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
class CreditScore:
    score: int
    points: dict[Factor, Decimal]
    current_debt_over_limit: bool


def _ratio(numerator: Decimal | int, denominator: Decimal | int) -> Decimal:
    return Decimal(numerator) / Decimal(denominator)


def sub_scores(
    history: Iterable[LoanHistory], approved_limit: Decimal, as_of: date
) -> tuple[dict[Factor, Decimal], Decimal]:
    """Each factor's sub-score in [0, 1], and the sum of current loan amounts."""
    due = on_time = completed = started_this_year = 0
    current_amount = Decimal(0)
    for loan in history:
        loan_due = loan.installments_due(as_of)
        due += loan_due
        on_time += min(loan.emis_paid_on_time, loan_due)
        if loan.is_current(as_of):
            current_amount += loan.amount
        else:
            completed += 1
        if loan.start_date.year == as_of.year:
            started_this_year += 1
    if approved_limit > 0:
        volume = max(Decimal(0), 1 - _ratio(current_amount, approved_limit))
    else:
        volume = Decimal(1) if current_amount == 0 else Decimal(0)
    return {
        Factor.REPAYMENT_ON_TIME: _ratio(on_time, due) if due else Decimal(0),
        Factor.LOANS_TAKEN: _ratio(
            min(completed, COMPLETED_LOANS_FOR_FULL_MARKS), COMPLETED_LOANS_FOR_FULL_MARKS
        ),
        Factor.CURRENT_YEAR_ACTIVITY: max(
            Decimal(0), 1 - _ratio(started_this_year, LOANS_THIS_YEAR_TO_LOSE_ALL)
        ),
        Factor.APPROVED_VOLUME: volume,
    }, current_amount


def credit_score(
    history: Iterable[LoanHistory], approved_limit: Decimal, as_of: date
) -> CreditScore:
    subs, current_amount = sub_scores(history, approved_limit, as_of)
    points = {factor: WEIGHTS[factor] * subs[factor] for factor in Factor}
    over_limit = current_amount > approved_limit
    total = Decimal(0) if over_limit else sum(points.values(), Decimal(0))
    return CreditScore(
        score=int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP)),
        points=points,
        current_debt_over_limit=over_limit,
    )
