"""Loan histories with scores that can be worked out by hand (today = 2026-06-15).

A completed 35-month loan with k installments paid on time earns exactly k points for
repayment and 5 for loans taken; see docs/credit-policy.md.
"""

import importlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from credit.dates import add_months
from credit.policy import Decision, LoanRequest, Policy, decide
from credit.scoring import CreditScore, LoanHistory, credit_score, figures_of
from policies.parameters import PolicyParameters


def completed_loan(on_time: int, tenure: int = 35, amount: str = "200000") -> LoanHistory:
    start = date(2020, 1, 10)
    return LoanHistory(
        amount=Decimal(amount),
        tenure=tenure,
        monthly_installment=Decimal("7000.00"),
        emis_paid_on_time=on_time,
        start_date=start,
        end_date=add_months(start, tenure),
    )


def loan_started_today(amount: str, installment: str = "1000.00") -> LoanHistory:
    start = date(2026, 6, 15)
    return LoanHistory(
        amount=Decimal(amount),
        tenure=24,
        monthly_installment=Decimal(installment),
        emis_paid_on_time=0,
        start_date=start,
        end_date=add_months(start, 24),
    )


# Version 1 of the policy, as its migration creates it: the parameters the tests' figures assume.
POLICY = PolicyParameters.model_validate(
    importlib.import_module(
        "policies.migrations.0002_version_one_and_immutable_versions"
    ).VERSION_ONE
).to_policy(1)


@dataclass(frozen=True)
class Borrower:
    monthly_salary: Decimal
    approved_limit: Decimal
    age: int | None = None


def decide_for(
    borrower: Borrower,
    history: list[LoanHistory],
    request: LoanRequest,
    as_of: date,
    policy: Policy = POLICY,
) -> Decision:
    """The decision the service makes for this borrower and history (loans.services)."""
    figures = figures_of(
        borrower.monthly_salary, borrower.approved_limit, history, as_of, age=borrower.age
    )
    return decide(figures, request, policy)


def score_of(
    history: list[LoanHistory], limit: Decimal, as_of: date, policy: Policy = POLICY
) -> CreditScore:
    return credit_score(figures_of(Decimal(1), limit, history, as_of), policy.score)
