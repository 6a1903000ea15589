"""Each endpoint costs a fixed number of queries, however many loans the customer has."""

from decimal import Decimal

import pytest

from core.auth import keys_required
from customers.tests.factories import CustomerFactory
from loans.tests.factories import LoanFactory
from policies.selectors import active_policy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _remembered_as_in_a_running_process():
    """A process looks up whether the API needs keys once per API_KEY_CACHE_SECONDS, and a
    policy version once: not per request."""
    keys_required()
    active_policy()


@pytest.fixture(params=[1, 200], ids=["1-loan", "200-loans"])
def customer_with_loans(request):
    # Income and limit enough for 200 loans, so every application here is approved.
    customer = CustomerFactory.create(
        approved_limit=Decimal("900000000"), monthly_salary=Decimal("10000000")
    )
    LoanFactory.create_batch(request.param, customer=customer, loan_amount=Decimal("1000"))
    return customer


def application(customer):
    return {"customer_id": customer.pk, "loan_amount": 1000, "interest_rate": 12, "tenure": 12}


def test_check_eligibility_takes_2_queries(api, customer_with_loans, django_assert_num_queries):
    # The customer with its loans, the audit INSERT.
    with django_assert_num_queries(2):
        response = api.post("/check-eligibility", application(customer_with_loans), format="json")
    assert response.status_code == 200


def test_an_approved_create_loan_takes_6_queries(
    api, customer_with_loans, django_assert_num_queries
):
    # The customer's lock, the customer with its loans, the loan INSERT, the audit INSERT, and
    # the SAVEPOINT and its RELEASE that the test's own transaction turns the commit into.
    with django_assert_num_queries(6):
        response = api.post("/create-loan", application(customer_with_loans), format="json")
    assert response.status_code == 201


def test_view_loan_takes_1_query(api, customer_with_loans, django_assert_num_queries):
    loan = customer_with_loans.loans.first()
    with django_assert_num_queries(1):
        response = api.get(f"/view-loan/{loan.pk}")
    assert response.status_code == 200


def test_view_loans_takes_1_query(api, customer_with_loans, django_assert_num_queries):
    # One LEFT JOIN from the customer answers both a list and an empty list.
    with django_assert_num_queries(1):
        response = api.get(f"/view-loans/{customer_with_loans.pk}")
    assert len(response.json()) == customer_with_loans.loans.count()
    with django_assert_num_queries(1):
        response = api.get(f"/view-loans/{customer_with_loans.pk}?status=closed")
    assert response.json() == []
