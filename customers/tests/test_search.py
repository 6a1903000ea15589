"""The one reading of a search box that the customer and the loan searches share
(customers.phones.search_terms), and the customer search that applies it."""

import pytest

from customers.phones import SearchTerm, search_terms
from customers.selectors import search_customers
from customers.tests.factories import CustomerFactory
from loans.tests.factories import LoanFactory


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("", []),
        ("  ", []),
        ("Asha", [SearchTerm("Asha")]),
        ("asha rao", [SearchTerm("asha"), SearchTerm("rao")]),
        # A bare number is an id; from four digits a part of a phone as well.
        ("7", [SearchTerm("7", number=7)]),
        ("712", [SearchTerm("712", number=712)]),
        ("98450", [SearchTerm("98450", phone_part="98450", number=98450)]),
        ("9845012345", [SearchTerm("9845012345", phone_part="9845012345", number=9845012345)]),
        # Typed as a phone is written: the digits joined, a part of a phone only.
        ("+91 98450 12345", [SearchTerm("9845012345", phone_part="9845012345")]),
        ("98450-12345", [SearchTerm("9845012345", phone_part="9845012345")]),
        ("7 12", [SearchTerm("712", phone_part="712")]),
        ("+917", [SearchTerm("7", phone_part="7")]),
        # Words and numbers together are each a term.
        ("rao 98450", [SearchTerm("rao"), SearchTerm("98450", phone_part="98450", number=98450)]),
    ],
)
def test_a_query_reads_as_terms(query, terms):
    assert search_terms(query) == terms


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("9845012345", ["rao"]),  # the whole phone, as one number
        ("+91 98450 12345", ["rao"]),
        ("98450 12345", ["rao"]),
        ("7 12", ["kumar"]),  # 712 within 9000071234, not customer 712
        ("kumar 0712", ["kumar"]),
    ],
)
def test_customers_are_found_by_a_whole_or_spaced_phone(query, found):
    people = {
        "rao": CustomerFactory.create(first_name="Asha", last_name="Rao", phone_number=9845012345),
        "kumar": CustomerFactory.create(
            first_name="Ravi", last_name="Kumar", phone_number=9000071234
        ),
    }
    names = {customer.pk: name for name, customer in people.items()}
    assert [names.get(customer.pk) for customer in search_customers(query)] == found


@pytest.mark.django_db
def test_a_bare_number_finds_a_customer_by_id_or_by_a_loan_number():
    holder = CustomerFactory.create(phone_number=9000000001)
    loan = LoanFactory.create(customer=holder)
    assert list(search_customers(str(holder.pk))) == [holder]
    assert list(search_customers(str(loan.pk))) == [holder]
    assert list(search_customers("99999999999999999999")) == []  # past any id, in no phone
