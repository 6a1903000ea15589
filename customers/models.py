from typing import Any

from django.db import models
from django.db.models import Exists, Q

from credit import standing
from credit.money import MONEY_PLACES
from customers.limits import (
    APPROVED_LIMIT_DIGITS,
    LARGEST_PHONE_NUMBER,
    MAX_AGE,
    MAX_NAME_LENGTH,
    MIN_AGE,
    SALARY_DIGITS,
    SMALLEST_PHONE_NUMBER,
)


class CustomerOrigin(models.TextChoices):
    REGISTERED = "registered", "Registered through the API"
    IMPORTED = "imported", "Imported from the history files"


class Customer(models.Model):
    first_name = models.CharField(max_length=MAX_NAME_LENGTH)
    last_name = models.CharField(max_length=MAX_NAME_LENGTH)
    age = models.PositiveSmallIntegerField()
    phone_number = models.BigIntegerField(unique=True)
    monthly_salary = models.DecimalField(max_digits=SALARY_DIGITS, decimal_places=MONEY_PLACES)
    approved_limit = models.DecimalField(
        max_digits=APPROVED_LIMIT_DIGITS, decimal_places=MONEY_PLACES
    )
    # A file may create and update only the customers files created (ingestion.checks).
    origin = models.CharField(
        max_length=16, choices=CustomerOrigin.choices, default=CustomerOrigin.REGISTERED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_salary__gt=0), name="customer_monthly_salary_positive"
            ),
            models.CheckConstraint(
                condition=Q(approved_limit__gte=0), name="customer_approved_limit_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(age__gte=MIN_AGE, age__lte=MAX_AGE), name="customer_age_in_range"
            ),
            models.CheckConstraint(
                condition=Q(
                    phone_number__gte=SMALLEST_PHONE_NUMBER,
                    phone_number__lte=LARGEST_PHONE_NUMBER,
                ),
                name="customer_phone_number_ten_digits",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (#{self.pk})"

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def served_by_the_service(customer: Any) -> Q:
    """Whether the service has acted for `customer` (an id or an OuterRef to one): a decision
    made, a loan booked or a payment taken. The loans imported from the history files are the
    files' own, not the service's acts. By the relations' names, so this app imports neither
    decisions nor loans."""
    acted = (
        Q(decisions__isnull=False)
        | Q(loans__origin=standing.BOOKED)
        | Q(loans__payments__isnull=False)
    )
    return Q(Exists(Customer.objects.filter(acted, pk=customer)))
