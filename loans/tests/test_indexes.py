"""A loan's customer has no index of its own (an import's inserts paid a third of their time
for it): the unique (customer, source_loan_id) index leads with the customer and serves every
lookup by customer."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_one_index_leads_with_the_customer_the_unique_one():
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, "loans_loan")
    leading = {
        name: (entry["columns"], entry["unique"])
        for name, entry in found.items()
        if (entry["index"] or entry["unique"]) and entry["columns"][:1] == ["customer_id"]
    }
    assert leading == {
        "loan_unique_source_loan_per_customer": (["customer_id", "source_loan_id"], True)
    }
