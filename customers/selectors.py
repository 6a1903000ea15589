from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from core.aggregates import paise_sum, rupees
from core.limits import LARGEST_ID
from customers.errors import CustomerNotFound
from customers.limits import SMALLEST_PHONE_NUMBER
from customers.models import Customer


def require_customer(customer_id: int) -> None:
    """CustomerNotFound unless the customer exists."""
    if not Customer.objects.filter(pk=customer_id).exists():
        raise CustomerNotFound(customer_id)


def get_customer(customer_id: int) -> Customer:
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise CustomerNotFound(customer_id)
    return customer


def search_customers(query: str) -> QuerySet[Customer]:
    """Customers by id or phone number (digits), or by name (every word in the first or the
    last name), in id order; all of them for an empty query."""
    words = query.split()
    found = Customer.objects.order_by("id")
    if not words:
        return found
    if len(words) == 1 and words[0].isascii() and words[0].isdigit():
        number = int(words[0])
        by_number = Q(phone_number=number) if number >= SMALLEST_PHONE_NUMBER else Q()
        if number <= LARGEST_ID:
            by_number |= Q(pk=number)
        return found.filter(by_number) if by_number else found.none()
    for word in words:
        found = found.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return found


def customer_totals() -> tuple[int, Decimal]:
    """How many customers there are and the sum of their approved limits: one query."""
    totals = Customer.objects.aggregate(customers=Count("pk"), limits=paise_sum("approved_limit"))
    return totals["customers"], rupees(totals["limits"])
