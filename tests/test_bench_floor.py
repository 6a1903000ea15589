"""The work's floor (bench/floor_urls.py) runs exactly the statements the project runs for the
same request: each endpoint's SQL is captured from both with CaptureQueriesContext and compared
with the values masked (the floor decides nothing, so its audit row's figures differ; the types
it binds do not, so PostgreSQL sees the same statements). Fails when the two drift apart. Input
the floor cannot use is a 400 (a 404 for an unknown customer) in the project's envelope, with
nothing recorded, instead of a 500."""

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
from decisions.models import CreditDecision
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


MISSING_CUSTOMER = {"loan_amount": 100000, "interest_rate": 12, "tenure": 12}


@pytest.mark.parametrize("view", [floor_urls.check_eligibility, floor_urls.create_loan])
@pytest.mark.parametrize(
    ("body", "status", "code", "message"),
    [
        (b"{not json", 400, "malformed_request", "The body is not JSON: Expecting property name"),
        (b"\x80{}", 400, "malformed_request", "The body is not JSON: 'utf-8' codec can't"),
        (b"[1, 2]", 400, "malformed_request", "The body is not a JSON object."),
        (json.dumps(MISSING_CUSTOMER), 400, "validation_error", "customer_id: required."),
        (
            json.dumps({**REFUSED, "customer_id": "seven"}),
            400,
            "validation_error",
            "customer_id: a number is required.",
        ),
        (
            json.dumps({**REFUSED, "customer_id": None}),
            400,
            "validation_error",
            "customer_id: a number is required.",
        ),
    ],
)
def test_a_body_the_floor_cannot_read_is_a_400(view, body, status, code, message) -> None:
    answer = view(RequestFactory().post("/", body, "application/json"))
    error = json.loads(answer.content)["error"]
    assert (answer.status_code, error["code"], error["fields"]) == (status, code, {})
    assert error["message"].startswith(message)


@pytest.mark.parametrize("view", [floor_urls.check_eligibility, floor_urls.create_loan])
@pytest.mark.parametrize(
    ("fields", "status", "code", "message"),
    [
        ({"loan_amount": "lots"}, 400, "validation_error", "loan_amount: a number is required."),
        ({"interest_rate": "NaN"}, 400, "validation_error", "interest_rate: a number is required."),
        ({"loan_amount": 1e40}, 400, "validation_error", "loan_amount: a number is required."),
        ({"tenure": 12.5e400}, 400, "validation_error", "tenure: a number is required."),
        ({"tenure": [12]}, 400, "validation_error", "tenure: a number is required."),
        ({"tenure": 100_000}, 400, "validation_error", "A value the database refuses: smallint"),
        ({"tenure": -1}, 400, "validation_error", "A value the database refuses: new row for"),
        ({"loan_amount": 10**12}, 400, "validation_error", "A value the database refuses: numeric"),
        ({"customer_id": 987654}, 404, "customer_not_found", "No customer 987654."),
        ({"customer_id": 10**20}, 404, "customer_not_found", f"No customer {10**20}."),
    ],
)
def test_an_application_the_floor_cannot_decide_is_refused_and_records_nothing(
    view, fields, status, code, message
) -> None:
    customer = CustomerFactory.create()
    body = json.dumps({**REFUSED, "customer_id": customer.pk, **fields})
    answer = view(RequestFactory().post("/", body, "application/json"))
    error = json.loads(answer.content)["error"]
    assert (answer.status_code, error["code"], error["fields"]) == (status, code, {})
    assert error["message"].startswith(message)
    assert not CreditDecision.objects.exists()
