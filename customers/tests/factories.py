from decimal import Decimal

import factory

from customers.models import Customer


class CustomerFactory(factory.django.DjangoModelFactory[Customer]):
    class Meta:
        model = Customer

    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = factory.Sequence(lambda n: f"Last{n}")
    age = 35
    phone_number = factory.Sequence(lambda n: 9_000_000_000 + n)
    monthly_salary = Decimal("100000.00")
    approved_limit = Decimal("3600000.00")
