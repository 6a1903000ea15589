from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from core.dates import months_elapsed
from core.errors import ErrorCode, NotFoundError
from customers.models import Customer
from customers.selectors import not_found as customer_not_found
from loans import schedule
from loans.emi import monthly_installment
from loans.models import CreditDecision, Loan, LoanOrigin, LoanStatus
from loans.policy import Borrower
from loans.scoring import LoanHistory


class LoanNotFound(NotFoundError):
    code = ErrorCode.LOAN_NOT_FOUND


_HISTORY_FIELDS = (
    "loan_amount",
    "tenure",
    "monthly_installment",
    "emis_paid_on_time",
    "start_date",
    "end_date",
    "status",
)


def _as_history(row: tuple[Any, ...]) -> LoanHistory:
    amount, tenure, installment, on_time, start, end, status = row
    return LoanHistory(
        amount=amount,
        tenure=tenure,
        monthly_installment=installment,
        emis_paid_on_time=on_time,
        start_date=start,
        end_date=end,
        closed=status == LoanStatus.CLOSED,
    )


def loan_history(customer_id: int) -> list[LoanHistory]:
    """Every loan of the customer, reduced to what the credit decision reads."""
    rows = Loan.objects.filter(customer_id=customer_id).values_list(*_HISTORY_FIELDS)
    return [_as_history(row) for row in rows]


def borrower_with_history(customer_id: int) -> tuple[Borrower, list[LoanHistory]]:
    """The customer's salary and limit with every loan, in one query (a LEFT JOIN): this is
    the eligibility check's hot path, where each database round trip shows."""
    rows = list(
        Customer.objects.filter(pk=customer_id).values_list(
            "monthly_salary", "approved_limit", *(f"loans__{field}" for field in _HISTORY_FIELDS)
        )
    )
    if not rows:
        raise customer_not_found(customer_id)
    salary, limit = rows[0][:2]
    borrower = Borrower(monthly_salary=salary, approved_limit=limit)
    return borrower, [_as_history(row[2:]) for row in rows if row[2] is not None]


def current_loans_filter(as_of: date) -> Q:
    """A loan is current while it is not closed and its end date has not passed."""
    return Q(end_date__gte=as_of) & ~Q(status=LoanStatus.CLOSED)


def status_on(loan: Loan, as_of: date) -> str:
    """`active` while current (see current_loans_filter), else `closed`."""
    if loan.status != LoanStatus.CLOSED and loan.end_date >= as_of:
        return LoanStatus.ACTIVE
    return LoanStatus.CLOSED


def installments_settled(loan: Loan, as_of: date) -> int:
    """Booked loans count the installments their payments settled. The history files record no
    payments, only that the lender serviced the loan, so an imported loan is taken to have paid
    each installment whose due date has passed."""
    if loan.status == LoanStatus.CLOSED:
        return loan.tenure
    if loan.origin == LoanOrigin.IMPORTED:
        return min(loan.tenure, months_elapsed(loan.start_date, as_of))
    return loan.installments_paid


def repayments_left(loan: Loan, as_of: date) -> int:
    return loan.tenure - installments_settled(loan, as_of)


def days_past_due(loan: Loan, as_of: date) -> int:
    return schedule.days_past_due(
        loan.start_date, loan.tenure, installments_settled(loan, as_of), as_of
    )


def loan_schedule(loan: Loan) -> tuple[schedule.Installment, ...]:
    """Imported loans are amortised at the contract EMI for their amount, rate and tenure: the
    file's "Monthly payment" often does not repay the loan at its rate, so it cannot drive a
    reducing balance (it stays the loan's installment for the 50% rule)."""
    installment = loan.monthly_installment
    if loan.origin == LoanOrigin.IMPORTED:
        installment = monthly_installment(loan.loan_amount, loan.interest_rate, loan.tenure)
    return schedule.amortize(
        loan.loan_amount, loan.interest_rate, loan.tenure, installment, loan.start_date
    )


def payment_records(loan: Loan) -> list[schedule.PaymentRecord]:
    return [
        schedule.PaymentRecord(amount=amount, paid_on=paid_on, settles_loan=settles)
        for amount, paid_on, settles in loan.payments.order_by("paid_on", "id").values_list(
            "amount", "paid_on", "settles_loan"
        )
    ]


def loan_servicing(
    loan: Loan, rows: tuple[schedule.Installment, ...], as_of: date
) -> schedule.Servicing:
    if loan.origin == LoanOrigin.IMPORTED:
        return schedule.settled_by_date(rows, as_of)
    return schedule.apply_payments(rows, payment_records(loan))


def get_loan(loan_id: int) -> Loan:
    loan = Loan.objects.filter(pk=loan_id).first()
    if loan is None:
        raise loan_not_found(loan_id)
    return loan


def loan_not_found(loan_id: int) -> LoanNotFound:
    return LoanNotFound(f"No loan with id {loan_id}.")


def get_loan_with_customer(loan_id: int) -> Loan:
    loan = Loan.objects.select_related("customer").filter(pk=loan_id).first()
    if loan is None:
        raise loan_not_found(loan_id)
    return loan


def customer_loans(customer_id: int, *, as_of: date, status: str | None) -> list[Loan]:
    """The customer's loans, oldest first; `status` keeps only active (current) or closed ones."""
    loans = Loan.objects.filter(customer_id=customer_id).order_by("id")
    if status == LoanStatus.ACTIVE:
        loans = loans.filter(current_loans_filter(as_of))
    elif status == LoanStatus.CLOSED:
        loans = loans.exclude(current_loans_filter(as_of))
    found = list(loans)
    # Only an empty list needs a second query, to tell "no loans" from "no such customer".
    if not found and not Customer.objects.filter(pk=customer_id).exists():
        raise customer_not_found(customer_id)
    return found


def customer_decisions(customer_id: int) -> QuerySet[CreditDecision]:
    """The customer's decisions, newest first."""
    if not Customer.objects.filter(pk=customer_id).exists():
        raise customer_not_found(customer_id)
    return CreditDecision.objects.filter(customer_id=customer_id).order_by("-id")


class DecisionNotFound(NotFoundError):
    code = ErrorCode.DECISION_NOT_FOUND


def get_decision(decision_id: int) -> CreditDecision:
    decision = CreditDecision.objects.filter(pk=decision_id).first()
    if decision is None:
        raise DecisionNotFound(f"No decision with id {decision_id}.")
    return decision
