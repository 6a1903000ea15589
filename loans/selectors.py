from datetime import date

from django.db.models import Q, QuerySet

from core.dates import months_elapsed
from core.errors import ErrorCode, NotFoundError
from customers.models import Customer
from customers.selectors import not_found as customer_not_found
from loans.models import Loan, LoanOrigin, LoanStatus
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


def loan_history(customer_id: int) -> list[LoanHistory]:
    """Every loan of the customer, reduced to what the credit decision reads."""
    rows = Loan.objects.filter(customer_id=customer_id).values_list(*_HISTORY_FIELDS)
    return [
        LoanHistory(
            amount=amount,
            tenure=tenure,
            monthly_installment=installment,
            emis_paid_on_time=on_time,
            start_date=start,
            end_date=end,
            closed=status == LoanStatus.CLOSED,
        )
        for amount, tenure, installment, on_time, start, end, status in rows
    ]


def current_loans_filter(as_of: date) -> Q:
    """A loan is current while it is not closed and its end date has not passed."""
    return Q(end_date__gte=as_of) & ~Q(status=LoanStatus.CLOSED)


def status_on(loan: Loan, as_of: date) -> str:
    """`active` while current (see current_loans_filter), else `closed`."""
    if loan.status != LoanStatus.CLOSED and loan.end_date >= as_of:
        return LoanStatus.ACTIVE
    return LoanStatus.CLOSED


def repayments_left(loan: Loan, as_of: date) -> int:
    """Booked loans owe every installment until paid; imported ones owe those not yet fallen due.

    The history files record no payments, only that the lender serviced the loan, so an
    imported loan is taken to have paid each installment whose due date has passed.
    """
    if loan.status == LoanStatus.CLOSED:
        return 0
    if loan.origin == LoanOrigin.IMPORTED:
        return loan.tenure - min(loan.tenure, months_elapsed(loan.start_date, as_of))
    return loan.tenure


def get_loan_with_customer(loan_id: int) -> Loan:
    loan = Loan.objects.select_related("customer").filter(pk=loan_id).first()
    if loan is None:
        raise LoanNotFound(f"No loan with id {loan_id}.")
    return loan


def customer_loans(customer_id: int, *, as_of: date, status: str | None) -> QuerySet[Loan]:
    """The customer's loans, oldest first; `status` keeps only active (current) or closed ones."""
    if not Customer.objects.filter(pk=customer_id).exists():
        raise customer_not_found(customer_id)
    loans = Loan.objects.filter(customer_id=customer_id).order_by("id")
    if status == LoanStatus.ACTIVE:
        return loans.filter(current_loans_filter(as_of))
    if status == LoanStatus.CLOSED:
        return loans.exclude(current_loans_filter(as_of))
    return loans
