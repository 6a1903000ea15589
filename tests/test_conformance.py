"""Every endpoint's real answers against the OpenAPI document clients read: each body validates
against the schema documented for its status, with the types and formats the document gives
(dates, timestamps), and every JSON number written with exactly two decimals, as money is."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
import simplejson
from jsonschema import Draft202012Validator, FormatChecker, validators

from core import clock
from customers.tests.factories import CustomerFactory
from loans.tests.factories import LoanFactory

pytestmark = pytest.mark.django_db

FORMATS = FormatChecker()
TYPE = Draft202012Validator.VALIDATORS["type"]


@FORMATS.checks("date-time", raises=ValueError)
def _timestamp(value: object) -> bool:
    return not isinstance(value, str) or bool(datetime.fromisoformat(value))


@FORMATS.checks("date", raises=ValueError)
def _date(value: object) -> bool:
    return not isinstance(value, str) or bool(date.fromisoformat(value))


def _type_with_two_decimals(validator: Any, types: Any, instance: Any, schema: Any) -> Any:
    yield from TYPE(validator, types, instance, schema)
    kinds = types if isinstance(types, list) else [types]
    money = "number" in kinds and type(instance) in (int, Decimal)
    if money and (type(instance) is int or instance.as_tuple().exponent != -2):
        yield validators.ValidationError(f"{instance} is not written with two decimals")


Validator = validators.extend(Draft202012Validator, {"type": _type_with_two_decimals})


@pytest.fixture(scope="module")
def document(django_db_setup, django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        return APIClient().get("/api/schema?format=json").json()


def assert_conforms(document, response, path, method="get"):
    documented = document["paths"][path][method]["responses"][str(response.status_code)]
    schema = documented["content"]["application/json"]["schema"]
    body = simplejson.loads(response.content, use_decimal=True)
    validator = Validator({**schema, "components": document["components"]}, format_checker=FORMATS)
    problems = [f"{list(error.path)}: {error.message}" for error in validator.iter_errors(body)]
    assert not problems, problems


APPLICATION = {"loan_amount": 100000, "interest_rate": 10, "tenure": 12}


def test_the_original_endpoints_answer_as_documented(api, document):
    registered = api.post(
        "/register",
        {
            "first_name": "Asha",
            "last_name": "Rao",
            "age": 30,
            "monthly_income": 50000,
            "phone_number": 9876543210,
        },
        format="json",
    )
    assert_conforms(document, registered, "/register", "post")
    customer_id = registered.json()["customer_id"]
    application = {**APPLICATION, "customer_id": customer_id}
    for path in ("/check-eligibility", "/create-loan"):
        assert_conforms(document, api.post(path, application, format="json"), path, "post")
    refused = api.post("/create-loan", {**application, "loan_amount": 9999999}, format="json")
    assert refused.status_code == 200
    assert_conforms(document, refused, "/create-loan", "post")
    loan_id = api.get(f"/view-loans/{customer_id}").json()[0]["loan_id"]
    assert_conforms(document, api.get(f"/view-loan/{loan_id}"), "/view-loan/{loan_id}")
    assert_conforms(document, api.get(f"/view-loans/{customer_id}"), "/view-loans/{customer_id}")


def test_servicing_and_the_audit_trail_answer_as_documented(api, document):
    loan = LoanFactory.create()
    payment = api.post(f"/loans/{loan.pk}/payments", {"amount": "100"}, format="json")
    assert payment.status_code == 201
    assert_conforms(document, payment, "/loans/{loan_id}/payments", "post")
    for path in ("/loans/{loan_id}/schedule", "/loans/{loan_id}/payoff"):
        assert_conforms(document, api.get(path.format(loan_id=loan.pk)), path)
    written = {
        "/loans/{loan_id}/notes": {"text": "Called"},
        "/loans/{loan_id}/promises": {"promised_on": "2026-06-20", "promised_amount": "500"},
    }
    for path, body in written.items():
        made = api.post(path.format(loan_id=loan.pk), body, format="json")
        assert made.status_code == 201
        assert_conforms(document, made, path, "post")
        assert_conforms(document, api.get(path.format(loan_id=loan.pk)), path)
    answered = api.post(
        "/check-eligibility", {**APPLICATION, "customer_id": loan.customer_id}, format="json"
    ).json()
    decision = api.get(f"/decisions/{answered['decision_id']}")
    assert_conforms(document, decision, "/decisions/{decision_id}")
    page = api.get(f"/customers/{loan.customer_id}/decisions")
    assert_conforms(document, page, "/customers/{customer_id}/decisions")
    assert clock.today() == loan.start_date


def test_health_and_errors_answer_as_documented(api, document):
    CustomerFactory.create()
    assert_conforms(document, api.get("/health"), "/health")
    assert_conforms(document, api.get("/view-loan/4242"), "/view-loan/{loan_id}")
    invalid = api.post("/check-eligibility", {"tenure": 0}, format="json")
    assert_conforms(document, invalid, "/check-eligibility", "post")
