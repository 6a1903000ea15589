"""The work's floor (bench/floor_urls.py) runs exactly the statements the project runs for the
same request: each endpoint's SQL is captured from both with CaptureQueriesContext and compared
with the values masked (the floor decides nothing, so its audit row's figures differ; the types
it binds do not, so PostgreSQL sees the same statements). Fails when the two drift apart."""

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from bench import floor_urls
from customers.tests.factories import CustomerFactory
from loans.models import Loan
from loans.tests.factories import LoanFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# A refused application (over the approved limit): no loan is booked, on either side.
REFUSED = {"loan_amount": 9_000_000, "interest_rate": 12, "tenure": 12}
# A quoted literal ('...', quotes doubled inside), a number, NULL or a boolean.
VALUE = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b|\bNULL\b|\btrue\b|\bfalse\b")


def statements(run: Callable[[], HttpResponse]) -> list[str]:
    """The SQL `run` sends, values masked, and the answer's status checked."""
    with CaptureQueriesContext(connection) as captured:
        answer = run()
    assert answer.status_code in {200, 201}, answer.content
    return [VALUE.sub("?", query["sql"]) for query in captured.captured_queries]


def project_and_floor(endpoint: str, customer_id: int, loan_id: int) -> tuple[Any, Any]:
    api, factory = APIClient(), RequestFactory()
    body = {**REFUSED, "customer_id": customer_id}
    encoded, as_json = json.dumps(body), "application/json"
    return {
        "check-eligibility": (
            lambda: api.post("/check-eligibility", body, format="json"),
            lambda: floor_urls.check_eligibility(
                factory.post("/check-eligibility", encoded, as_json)
            ),
        ),
        "create-loan": (
            lambda: api.post("/create-loan", body, format="json"),
            lambda: floor_urls.create_loan(factory.post("/create-loan", encoded, as_json)),
        ),
        "view-loan": (
            lambda: api.get(f"/view-loan/{loan_id}"),
            lambda: floor_urls.view_loan(factory.get(f"/view-loan/{loan_id}"), loan_id),
        ),
        "view-loans": (
            lambda: api.get(f"/view-loans/{customer_id}"),
            lambda: floor_urls.view_loans(factory.get(f"/view-loans/{customer_id}"), customer_id),
        ),
    }[endpoint]


@pytest.mark.parametrize(
    "endpoint", ["check-eligibility", "create-loan", "view-loan", "view-loans"]
)
def test_the_floor_runs_the_endpoints_statements(endpoint: str) -> None:
    loan = LoanFactory.create(customer=CustomerFactory.create())
    project, floor = project_and_floor(endpoint, loan.customer_id, loan.id)
    project(), floor()  # first requests warm the caches (policy versions, keys)

    ran = statements(project)

    assert ran, "the project ran no SQL: nothing to compare"
    assert statements(floor) == ran
    assert Loan.objects.count() == 1  # the refused applications booked nothing


def test_a_drifted_statement_is_seen() -> None:
    """The comparison sees a column the project no longer reads."""
    masked = VALUE.sub("?", "SELECT l.\"id\" FROM t WHERE id = 7 AND s = 'a''b' AND x IS NULL")

    assert masked == 'SELECT l."id" FROM t WHERE id = ? AND s = ? AND x IS ?'
