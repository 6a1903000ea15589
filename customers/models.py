from django.db import models
from django.db.models import Q

MIN_AGE, MAX_AGE = 18, 100
SMALLEST_PHONE_NUMBER, LARGEST_PHONE_NUMBER = 1_000_000_000, 9_999_999_999


class Customer(models.Model):
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    age = models.PositiveSmallIntegerField()
    phone_number = models.BigIntegerField(unique=True)
    monthly_salary = models.DecimalField(max_digits=14, decimal_places=2)
    approved_limit = models.DecimalField(max_digits=16, decimal_places=2)
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
        return f"{self.first_name} {self.last_name} (#{self.pk})"
