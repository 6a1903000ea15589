from decimal import Decimal

from django.db import IntegrityError, transaction

from credit.policy import approved_limit_for
from customers.errors import PhoneNumberTaken
from customers.models import Customer
from policies.selectors import active_policy


def register_customer(
    *, first_name: str, last_name: str, age: int, monthly_income: Decimal, phone_number: int
) -> Customer:
    """A new customer whose approved limit is the active policy's multiple of the income."""
    try:
        with transaction.atomic():
            return Customer.objects.create(
                first_name=first_name,
                last_name=last_name,
                age=age,
                phone_number=phone_number,
                monthly_salary=monthly_income,
                approved_limit=approved_limit_for(monthly_income, active_policy()),
            )
    except IntegrityError as exc:
        if Customer.objects.filter(phone_number=phone_number).exists():
            raise PhoneNumberTaken(phone_number) from exc
        raise
