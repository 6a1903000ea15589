from customers.errors import CustomerNotFound
from customers.models import Customer


def require_customer(customer_id: int) -> None:
    """CustomerNotFound unless the customer exists."""
    if not Customer.objects.filter(pk=customer_id).exists():
        raise CustomerNotFound(customer_id)
