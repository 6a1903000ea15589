"""What the loan endpoints and the console's loan pages take and answer: a loan and its
standing, its schedule, a payment, a payoff quote."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import Field, RootModel

from core.contract import Amount, CalendarDate, Day, Declaration, Money
from credit.limits import INSTALLMENT_DIGITS
from credit.schedule import InstallmentStatus
from credit.standing import standing_on
from loans.models import LoanStatus, Payment


class LoanCustomerOutput(Declaration):
    id: int
    first_name: str
    last_name: str
    phone_number: int
    age: int


class LoanSummaryOutput(Declaration):
    """A loan in view-loans."""

    loan_id: int
    loan_amount: Money
    interest_rate: Money
    monthly_installment: Money
    tenure: int
    repayments_left: int
    status: LoanStatus
    start_date: Day
    end_date: Day
    days_past_due: int
    delinquency_bucket: str = Field(
        description="current, SMA-0 (1-30 days), SMA-1 (31-60), SMA-2 (61-90) or NPA (over 90)."
    )


class LoanSummaries(RootModel[list[LoanSummaryOutput]]):
    pass


class LoanDetailOutput(LoanSummaryOutput):
    """view-loan's body."""

    customer: LoanCustomerOutput


class ViewLoansQuery(Declaration):
    status: LoanStatus | None = None


class InstallmentOutput(Declaration):
    number: int
    due_date: Day
    amount: Money
    interest: Money
    principal: Money
    balance: Money
    status: InstallmentStatus
    paid_on: Day | None = Field(
        description="Null while unpaid, and for loans from the history files."
    )


class ScheduleOutput(Declaration):
    loan_id: int
    days_past_due: int
    delinquency_bucket: str
    installments: list[InstallmentOutput]


class PaymentInput(Declaration):
    amount: Annotated[Decimal, Amount(INSTALLMENT_DIGITS, gt=0)]
    paid_on: CalendarDate | None = Field(default=None, description="Defaults to today.")


class PaymentOutput(Declaration):
    payment_id: int
    loan_id: int
    amount: Money
    paid_on: Day
    repayments_left: int
    loan_status: LoanStatus
    recorded_by: str = Field(
        description="A key's name (or its fingerprint), a username; empty when open."
    )

    @classmethod
    def of(cls, payment: Payment, today: date) -> "PaymentOutput":
        where = standing_on(payment.loan, today)
        return cls(
            payment_id=payment.pk,
            loan_id=payment.loan_id,
            amount=payment.amount,
            paid_on=payment.paid_on,
            repayments_left=where.repayments_left,
            loan_status=LoanStatus(where.status),
            recorded_by=payment.recorded_by,
        )


class PayoffQuery(Declaration):
    on: CalendarDate | None = Field(default=None, description="Defaults to today.")


class PayoffOutput(Declaration):
    loan_id: int
    on: Day
    outstanding_principal: Money
    accrued_interest: Money
    total: Money = Field(description="Paying this on that date closes the loan.")
