"""/api/schema: OpenAPI 3 for every API endpoint, with the error envelope and the key scheme."""

import io

import pytest
import yaml
from django.core.management import call_command
from django.urls import URLPattern, get_resolver
from rest_framework.views import APIView

from core.api import DocsApi, SchemaApi

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema?format=json")
    assert response.status_code == 200
    return response.json()


def documented_routes() -> set[str]:
    """Every named DRF route in config/urls.py, as an OpenAPI path."""
    routes = set()
    for pattern in get_resolver().url_patterns:
        view = getattr(pattern, "callback", None)
        view_class = getattr(view, "cls", None)
        if not isinstance(pattern, URLPattern) or not pattern.name or view_class is None:
            continue
        if not issubclass(view_class, APIView) or issubclass(view_class, SchemaApi | DocsApi):
            continue
        route = str(pattern.pattern)
        for converter in ("<id:", "<int:"):
            route = route.replace(converter, "{")
        routes.add("/" + route.replace(">", "}"))
    return routes


def test_every_api_endpoint_is_described_once(schema):
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == documented_routes()
    assert "/health" in schema["paths"]


def test_the_error_envelope_is_declared(schema):
    envelope = schema["components"]["schemas"]["ErrorEnvelope"]
    assert envelope["required"] == ["error"]
    detail = schema["components"]["schemas"]["ErrorDetail"]
    assert set(detail["required"]) == {"code", "message", "fields"}
    assert detail["properties"]["code"] == {"$ref": "#/components/schemas/ErrorCodeEnum"}
    assert "not_authenticated" in schema["components"]["schemas"]["ErrorCodeEnum"]["enum"]


OPERATIONS = [
    ("/check-eligibility", "post"),
    ("/create-loan", "post"),
    ("/register", "post"),
    ("/view-loan/{loan_id}", "get"),
    ("/view-loans/{customer_id}", "get"),
    ("/loans/{loan_id}/schedule", "get"),
    ("/loans/{loan_id}/payments", "post"),
    ("/loans/{loan_id}/payments", "get"),
    ("/loans/{loan_id}/payments/{payment_id}/reversal", "post"),
    ("/loans/{loan_id}/payoff", "get"),
    ("/collections", "get"),
    ("/loans", "get"),
    ("/loans/{loan_id}/notes", "get"),
    ("/loans/{loan_id}/notes", "post"),
    ("/loans/{loan_id}/promises", "get"),
    ("/loans/{loan_id}/promises", "post"),
    ("/customers/{customer_id}/decisions", "get"),
    ("/decisions/{decision_id}", "get"),
    ("/decisions/{decision_id}/replay", "get"),
    ("/ingest", "post"),
    ("/ingest/{job_id}", "get"),
    ("/policies", "get"),
    ("/policies", "post"),
    ("/policies/{version}", "get"),
    ("/policies/{version}", "patch"),
    ("/policies/{version}", "delete"),
    ("/policies/{version}/activate", "post"),
    ("/policy-simulations", "post"),
    ("/policy-simulations/{simulation_id}", "get"),
    ("/policy-simulations/{simulation_id}/flips.csv", "get"),
    ("/approvals", "get"),
    ("/approvals/{approval_id}", "get"),
    ("/approvals/{approval_id}/approve", "post"),
    ("/approvals/{approval_id}/reject", "post"),
]


# Open to anyone, without a key: the probe, and where the docs are.
OPEN = {("/health", "get"), ("/", "get")}


def test_the_operations_listed_here_are_all_there_are(schema):
    found = {(path, method) for path, ops in schema["paths"].items() for method in ops}
    assert found - OPEN == set(OPERATIONS)


def test_the_root_says_it_redirects_a_browser_and_answers_a_client_where_the_docs_are(schema):
    operation = schema["paths"]["/"]["get"]
    assert set(operation["responses"]) == {"200", "302"}
    answered = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert answered == {"$ref": "#/components/schemas/ServiceIndexOutput"}
    fields = schema["components"]["schemas"]["ServiceIndexOutput"]["required"]
    assert fields == ["service", "docs", "openapi", "console", "health"]


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_each_operation_declares_its_errors_and_the_key(schema, path, method):
    operation = schema["paths"][path][method]
    assert operation["security"] == [{"ApiKey": []}]
    errors = [status for status in operation["responses"] if status.startswith("4")]
    assert {"401", "429"} <= set(errors)
    for status in errors:
        content = operation["responses"][status]["content"]["application/json"]
        assert content["schema"] == {"$ref": "#/components/schemas/ErrorEnvelope"}, status
        assert content["examples"], status


def test_health_is_open_and_declares_503(schema):
    operation = schema["paths"]["/health"]["get"]
    assert operation.get("security", [{}]) == [{}]
    assert set(operation["responses"]) == {"200", "503"}
    scheme = schema["components"]["securitySchemes"]["ApiKey"]
    assert scheme == {"type": "apiKey", "in": "header", "name": "X-API-Key"}


def test_money_is_a_json_number(schema):
    register = schema["components"]["schemas"]["RegisterOutput"]["properties"]
    assert register["approved_limit"]["type"] == "number"
    application = schema["components"]["schemas"]["LoanApplicationInputRequest"]["properties"]
    assert application["loan_amount"]["type"] == "number"


def test_swagger_ui_is_served(api):
    response = api.get("/api/docs")
    assert response.status_code == 200
    assert b"swagger-ui" in response.content


KEYED = {
    ("/create-loan", "post"),
    ("/loans/{loan_id}/payments", "post"),
    ("/loans/{loan_id}/payments/{payment_id}/reversal", "post"),
    ("/loans/{loan_id}/notes", "post"),
    ("/loans/{loan_id}/promises", "post"),
    ("/ingest", "post"),
}


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_the_idempotency_key_is_documented_where_it_is_honoured(schema, path, method):
    operation = schema["paths"][path][method]
    headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
    keyed = (path, method) in KEYED
    assert ("Idempotency-Key" in headers) == keyed
    if keyed:  # reused with another request, or still running
        assert {"409", "422"} <= set(operation["responses"])


def test_the_schema_generates_without_a_warning():
    """drf-spectacular's warnings (an operationId used twice, a type it had to guess) fail the
    generation here, so a client generated from the document gets the names it expects."""
    out, err = io.StringIO(), io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out, stderr=err)
    assert "Warning" not in err.getvalue()
    ids = [op["operationId"] for op in operations(yaml.safe_load(out.getvalue()))]
    assert len(ids) == len(set(ids))


def operations(document):
    for item in document["paths"].values():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield operation


def every_schema(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from every_schema(value)
    elif isinstance(node, list):
        for value in node:
            yield from every_schema(value)


def test_bounds_are_standard_json_schema_never_pydantics_own_keys(schema):
    assert not [node for node in every_schema(schema) if {"ge", "le", "gt", "lt"} & set(node)]
    register = schema["components"]["schemas"]["RegisterInputRequest"]["properties"]
    assert (register["age"]["minimum"], register["age"]["maximum"]) == (18, 100)
    number, _typed = register["phone_number"]["anyOf"]
    assert (number["minimum"], number["maximum"]) == (1_000_000_000, 9_999_999_999)


def test_the_idempotency_key_header_says_its_length_and_pattern(schema):
    (header,) = [
        parameter
        for parameter in schema["paths"]["/create-loan"]["post"]["parameters"]
        if parameter["name"] == "Idempotency-Key"
    ]
    assert header["schema"] == {
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "pattern": "^(?:[!-~](?:[ -~]*[!-~])?)(?![\\s\\S])",
    }


def test_paging_is_declared_and_anything_else_refused(schema, api):
    from customers.tests.factories import CustomerFactory

    parameters = schema["paths"]["/customers/{customer_id}/decisions"]["get"]["parameters"]
    paging = {p["name"]: p["schema"] for p in parameters if p["in"] == "query"}
    assert paging == {
        "page": {"type": "integer", "minimum": 1, "maximum": 9223372036854775807, "default": 1},
        "page_size": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
    }
    customer = CustomerFactory.create()
    for query in ("page_size=null", "page_size=0", "page_size=101", "page=abc"):
        answer = api.get(f"/customers/{customer.pk}/decisions?{query}")
        assert (answer.status_code, answer.json()["error"]["code"]) == (400, "validation_error")
    assert api.get(f"/customers/{customer.pk}/decisions?page_size=100").status_code == 200


def test_an_upload_must_hold_a_file_and_says_so(schema):
    body = schema["paths"]["/ingest"]["post"]["requestBody"]
    assert body["required"] is True
    upload = schema["components"]["schemas"]["IngestInputRequest"]
    assert upload["minProperties"] == 1
    assert upload["properties"]["customers"]["pattern"] == "^PK\u0003\u0004"
