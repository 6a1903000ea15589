from datetime import date
from decimal import Decimal

import factory

from credit.dates import add_months
from customers.tests.factories import CustomerFactory
from loans.models import Loan, LoanOrigin


class LoanFactory(factory.django.DjangoModelFactory[Loan]):
    """A booked loan of 1,00,000 at 10% for 12 months (EMI 8791.59), starting 2026-06-15."""

    class Meta:
        model = Loan

    customer = factory.SubFactory(CustomerFactory)
    loan_amount = Decimal("100000.00")
    tenure = 12
    interest_rate = Decimal("10.00")
    monthly_installment = Decimal("8791.59")
    emis_paid_on_time = 0
    start_date = date(2026, 6, 15)
    end_date = factory.LazyAttribute(lambda loan: add_months(loan.start_date, loan.tenure))
    origin = LoanOrigin.BOOKED
