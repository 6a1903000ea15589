from decimal import Decimal

from django.db.models import CharField, Count, Q, QuerySet
from django.db.models.functions import Cast

from core.aggregates import paise_sum, rupees
from core.limits import LARGEST_ID
from customers.errors import CustomerNotFound
from customers.models import Customer
from customers.phones import phone_digits


def require_customer(customer_id: int) -> None:
    """CustomerNotFound unless the customer exists."""
    if not Customer.objects.filter(pk=customer_id).exists():
        raise CustomerNotFound(customer_id)


def get_customer(customer_id: int) -> Customer:
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise CustomerNotFound(customer_id)
    return customer


PHONE_PART_DIGITS = 4


def customer_with_phone(phone_number: int) -> Customer | None:
    return Customer.objects.filter(phone_number=phone_number).first()


def search_customers(query: str) -> QuerySet[Customer]:
    """Customers matching every word of the query, in id order; all of them for an empty query.
    A word of digits is a customer's id, or the id of one of their loans, or (from
    PHONE_PART_DIGITS digits up, so that "7" finds customer 7, not every phone with a 7) any part
    of a phone number; other words are any part of the first or the last name. A phone number typed
    with +91, spaces or dashes ("+91 98450 12345") is one word of its digits."""
    digits = phone_digits(query)
    words = [digits] if digits is not None else query.split()
    found = Customer.objects.order_by("id")
    if not words:
        return found
    if any(word.isascii() and word.isdigit() for word in words):
        found = found.annotate(phone_text=Cast("phone_number", CharField()))
    for word in words:
        if word.isascii() and word.isdigit():
            number = int(word)
            by_number = Q(phone_text__contains=word) if len(word) >= PHONE_PART_DIGITS else Q()
            if number <= LARGEST_ID:
                by_number |= Q(pk=number) | Q(pk__in=_owners_of_loan(number))
            found = found.filter(by_number) if by_number else found.none()
        else:
            found = found.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return found


def _owners_of_loan(loan_id: int) -> QuerySet[Customer, int]:
    """The customer whose loan has this id (none, or one): by the loans' table, named through
    the relation so customers need not import loans."""
    return Customer.objects.filter(loans__pk=loan_id).values_list("pk", flat=True)


def customer_totals() -> tuple[int, Decimal]:
    """How many customers there are and the sum of their approved limits: one query."""
    totals = Customer.objects.aggregate(customers=Count("pk"), limits=paise_sum("approved_limit"))
    return totals["customers"], rupees(totals["limits"])
