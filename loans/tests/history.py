"""Loan histories with scores that can be worked out by hand (today = 2026-06-15).

A completed 35-month loan with k installments paid on time earns exactly k points for
repayment and 5 for loans taken; see docs/credit-policy.md.
"""

from datetime import date
from decimal import Decimal

from core.dates import add_months
from loans.scoring import LoanHistory


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
