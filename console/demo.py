"""Activity for the demo (make demo, the screenshots): a month of eligibility checks and
applications, loans booked on past days, some paid on time and some late, all through the same
services the API and the console use. Seeded: the same data every time."""

import random
from datetime import date, timedelta
from decimal import Decimal

from approvals.services import apply_for_loan
from credit.policy import LoanRequest
from credit.schedule import amortize
from customers.models import Customer
from decisions.services import check_eligibility
from loans.selectors import get_loan
from loans.services import record_payment

DAYS = 30
ASKED_BY = "demo-officer"


def seed_activity(today: date, seed: int = 0) -> None:
    rng = random.Random(seed)  # noqa: S311  sample data, not secrets
    customers = list(Customer.objects.order_by("id").values_list("id", "monthly_salary"))
    for offset in range(DAYS):
        day = today - timedelta(days=DAYS - 1 - offset)
        for _ in range(rng.randint(3, 9)):
            customer_id, salary = rng.choice(customers)
            # Mostly sensible asks, some far beyond what the salary carries.
            months = rng.choice((12, 24, 36, 60))
            amount = (salary * rng.choice((2, 4, 8, 12, 40))).quantize(Decimal(1000))
            request = LoanRequest(amount, Decimal(rng.choice((9, 11, 12, 14, 16))), months)
            check_eligibility(customer_id, request, as_of=day, requested_by=ASKED_BY)
    for offset, paid in ((150, 5), (120, 1), (95, 2), (70, 1), (45, 0), (20, 0), (5, 0)):
        customer_id, salary = customers[offset % len(customers)]
        request = LoanRequest((salary * 3).quantize(Decimal(1000)), Decimal(12), 24)
        booked = apply_for_loan(
            customer_id, request, as_of=today - timedelta(days=offset), requested_by=ASKED_BY
        ).recorded.loan_id
        if booked is not None:
            _pay_on_time(booked, paid, today)


def _pay_on_time(loan_id: int, installments: int, today: date) -> None:
    loan = get_loan(loan_id)
    rows = amortize(
        loan.loan_amount, loan.interest_rate, loan.tenure, loan.monthly_installment, loan.start_date
    )
    for row in rows[:installments]:
        record_payment(
            loan_id, row.amount, min(row.due_date, today), as_of=today, recorded_by=ASKED_BY
        )
