"""Sums of money the ORM computes exactly on both databases. SQLite keeps decimals as floats, so
money is added as whole paise (integers) and turned back into rupees after."""

from decimal import Decimal

from django.db.models import BigIntegerField, F, Sum
from django.db.models.functions import Cast, Coalesce, Round


def paise_sum(field: str) -> Coalesce:
    """The sum of a money column in paise (0 over no rows)."""
    return Coalesce(Sum(Cast(Round(F(field) * 100), BigIntegerField())), 0)


def rupees(paise: int) -> Decimal:
    return Decimal(paise).scaleb(-2)
