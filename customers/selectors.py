from decimal import Decimal

from django.db.models import CharField, Count, Q, QuerySet
from django.db.models.functions import Cast
from django.db.models.lookups import Contains

from core.aggregates import paise_sum, rupees
from core.limits import LARGEST_ID
from customers.errors import CustomerNotFound
from customers.models import Customer
from customers.phones import SearchTerm, search_terms


def require_customer(customer_id: int) -> None:
    """CustomerNotFound unless the customer exists."""
    if not Customer.objects.filter(pk=customer_id).exists():
        raise CustomerNotFound(customer_id)


def get_customer(customer_id: int) -> Customer:
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise CustomerNotFound(customer_id)
    return customer


def customer_with_phone(phone_number: int) -> Customer | None:
    return Customer.objects.filter(phone_number=phone_number).first()


def search_customers(query: str) -> QuerySet[Customer]:
    """Customers matching every term of the query (customers.phones.search_terms), in id order;
    all of them for an empty query. A term finds a customer by any part of the first or last
    name or of the phone number (customer_match), and a bare number also by the customer's id
    or the id of one of their loans."""
    found = Customer.objects.order_by("id")
    for term in search_terms(query):
        condition = customer_match(term)
        if term.number is not None and term.number <= LARGEST_ID:
            by_id = Q(pk=term.number) | Q(pk__in=_owners_of_loan(term.number))
            condition = by_id if condition is None else condition | by_id
        found = found.none() if condition is None else found.filter(condition)
    return found


def customer_match(term: SearchTerm, through: str = "") -> Q | None:
    """Where a search term finds a customer: any part of the phone number for digits that may
    be one, else any part of the first or the last name; None for a number too short to be a
    part of a phone (it can only be an id). `through` names the relation from another model
    ("customer__"), so a loan search matches its customers by the same rule."""
    if term.phone_part is not None:
        return Q(Contains(Cast(f"{through}phone_number", CharField()), term.phone_part))
    if term.number is not None:
        return None
    return Q(**{f"{through}first_name__icontains": term.text}) | Q(
        **{f"{through}last_name__icontains": term.text}
    )


def _owners_of_loan(loan_id: int) -> QuerySet[Customer, int]:
    """The customer whose loan has this id (none, or one): by the loans' table, named through
    the relation so customers need not import loans."""
    return Customer.objects.filter(loans__pk=loan_id).values_list("pk", flat=True)


def customer_totals() -> tuple[int, Decimal]:
    """How many customers there are and the sum of their approved limits: one query."""
    totals = Customer.objects.aggregate(customers=Count("pk"), limits=paise_sum("approved_limit"))
    return totals["customers"], rupees(totals["limits"])
