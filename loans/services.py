from dataclasses import dataclass
from datetime import date

from django.db import transaction

from core.dates import add_months
from customers.models import Customer
from customers.selectors import get_customer, not_found
from loans.models import Loan, LoanOrigin
from loans.policy import Borrower, Decision, LoanRequest, decide
from loans.selectors import loan_history


@dataclass(frozen=True)
class Booking:
    decision: Decision
    loan: Loan | None


def _decide_for(customer: Customer, request: LoanRequest, as_of: date) -> Decision:
    borrower = Borrower(
        monthly_salary=customer.monthly_salary, approved_limit=customer.approved_limit
    )
    return decide(borrower, loan_history(customer.pk), request, as_of)


def check_eligibility(customer_id: int, request: LoanRequest, *, as_of: date) -> Decision:
    return _decide_for(get_customer(customer_id), request, as_of)


def create_loan(customer_id: int, request: LoanRequest, *, as_of: date) -> Booking:
    """Decide and book under the customer's row lock, so concurrent applications queue up."""
    with transaction.atomic():
        customer = Customer.objects.select_for_update().filter(pk=customer_id).first()
        if customer is None:
            raise not_found(customer_id)
        decision = _decide_for(customer, request, as_of)
        if not decision.approved:
            return Booking(decision, None)
        loan = Loan.objects.create(
            customer=customer,
            loan_amount=request.amount,
            tenure=request.tenure,
            interest_rate=decision.corrected_interest_rate,
            monthly_installment=decision.monthly_installment,
            emis_paid_on_time=0,
            start_date=as_of,
            end_date=add_months(as_of, request.tenure),
            origin=LoanOrigin.BOOKED,
        )
        return Booking(decision, loan)
