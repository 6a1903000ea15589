"""The lending decision: credit score slabs, rate correction, the 50% rule and the approved limit.

Pure and free of Django so the same code serves check-eligibility, create-loan and the tests.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from core.money import to_paise
from loans.emi import monthly_installment
from loans.scoring import CreditScore, LoanHistory, credit_score

POLICY_VERSION = "2026-11-26.1"

MINIMUM_SCORE = 10
# (lowest score in the slab, lowest annual rate the slab may borrow at), best slab first.
RATE_FLOORS: tuple[tuple[int, Decimal], ...] = (
    (51, Decimal(0)),
    (30, Decimal(12)),
    (MINIMUM_SCORE, Decimal(16)),
)
MAX_EMI_SHARE_OF_SALARY = Decimal("0.5")


class ReasonCode(StrEnum):
    CREDIT_SCORE_TOO_LOW = "credit_score_too_low"
    EMI_OVER_HALF_SALARY = "emi_over_half_salary"
    APPROVED_LIMIT_EXCEEDED = "approved_limit_exceeded"


@dataclass(frozen=True)
class Borrower:
    monthly_salary: Decimal
    approved_limit: Decimal


@dataclass(frozen=True)
class LoanRequest:
    amount: Decimal
    interest_rate: Decimal
    tenure: int


@dataclass(frozen=True)
class Reason:
    code: ReasonCode
    message: str

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
    as_of: date


def rate_floor(score: int) -> Decimal | None:
    """The lowest rate a score may borrow at, or None when the score is too low to lend to."""
    for lowest_score, floor in RATE_FLOORS:
        if score >= lowest_score:
            return floor
    return None


def decide(
    borrower: Borrower, history: Sequence[LoanHistory], request: LoanRequest, as_of: date
) -> Decision:
    credit = credit_score(history, borrower.approved_limit, as_of)
    floor = rate_floor(credit.score)
    corrected_rate = request.interest_rate
    if floor is not None and request.interest_rate < floor:
        corrected_rate = floor
    installment = monthly_installment(request.amount, corrected_rate, request.tenure)

    current = [loan for loan in history if loan.is_current(as_of)]
    emi_total = sum((loan.monthly_installment for loan in current), installment)
    emi_cap = to_paise(borrower.monthly_salary * MAX_EMI_SHARE_OF_SALARY)
    amount_total = sum((loan.amount for loan in current), request.amount)

    reasons: list[Reason] = []
    if floor is None:
        why = (
            "current loans already exceed the approved limit"
            if credit.current_debt_over_limit
            else f"the minimum is {MINIMUM_SCORE}"
        )
        reasons.append(
            Reason(
                ReasonCode.CREDIT_SCORE_TOO_LOW, f"Credit score {credit.score} is too low: {why}."
            )
        )
    if emi_total > emi_cap:
        reasons.append(
            Reason(
                ReasonCode.EMI_OVER_HALF_SALARY,
                f"Monthly installments would total {emi_total}, more than 50% of the monthly "
                f"salary ({emi_cap}).",
            )
        )
    if amount_total > borrower.approved_limit:
        reasons.append(
            Reason(
                ReasonCode.APPROVED_LIMIT_EXCEEDED,
                f"Current loans plus this one would total {to_paise(amount_total)}, more than the "
                f"approved limit ({to_paise(borrower.approved_limit)}).",
            )
        )
    failed = {reason.code for reason in reasons}
    return Decision(
        approved=not reasons,
        credit=credit,
        request=request,
        corrected_interest_rate=corrected_rate,
        monthly_installment=installment,
        rules={code: code not in failed for code in ReasonCode},
        reasons=tuple(reasons),
        as_of=as_of,
    )
