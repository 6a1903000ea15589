from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction

from core.money import LAKH
from customers.errors import PhoneNumberTaken
from customers.models import Customer

APPROVED_LIMIT_SALARY_MULTIPLE = 36


def approved_limit_for(monthly_income: Decimal) -> Decimal:
    """36 × monthly income, to the nearest lakh; exactly half a lakh rounds up."""
    lakhs = (APPROVED_LIMIT_SALARY_MULTIPLE * monthly_income / LAKH).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    return lakhs * LAKH


def register_customer(
    *, first_name: str, last_name: str, age: int, monthly_income: Decimal, phone_number: int
) -> Customer:
    try:
        with transaction.atomic():
            return Customer.objects.create(
                first_name=first_name,
                last_name=last_name,
                age=age,
                phone_number=phone_number,
                monthly_salary=monthly_income,
                approved_limit=approved_limit_for(monthly_income),
            )
    except IntegrityError as exc:
        if Customer.objects.filter(phone_number=phone_number).exists():
            raise PhoneNumberTaken(phone_number) from exc
        raise
