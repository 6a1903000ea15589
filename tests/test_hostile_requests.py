"""No request a client can send gets a 500: each class of hostile input answers a 4xx in the
envelope, and a fuzz run over every endpoint with hostile headers, query strings and bodies
finds no 5xx."""

import json
import re
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loans.models import Loan
from loans.tests.factories import LoanFactory

pytestmark = pytest.mark.django_db

APPLICATION = {"customer_id": 1, "loan_amount": 1000, "interest_rate": 12, "tenure": 12}


@pytest.fixture
def raw():
    """A client that sees a 500 as a response (as a real client would), CSRF checks on."""
    return Client(raise_request_exception=False, enforce_csrf_checks=True)


def envelope(response):
    assert response["Content-Type"] == "application/json", response.content[:200]
    return json.loads(response.content)["error"]


@pytest.mark.parametrize(
    "accept",
    [
        "text/html",
        "application/xml",
        "*/*;q=0",
        "application/json; q=abc",
        ";;;,,,/",
        "application/json;charset=ebcdic",
        "a" * 5000,
        "\x00",
    ],
)
def test_any_accept_header_gets_json_or_a_406_in_the_envelope(raw, accept):
    response = raw.get("/view-loans/1", HTTP_ACCEPT=accept)
    assert response.status_code in (404, 406)
    assert envelope(response)["code"] in ("customer_not_found", "not_acceptable")


@pytest.mark.parametrize("name", ["xml", "api", "yaml", "", "json%00", "../../etc"])
def test_any_format_parameter_gets_json_or_a_406(raw, name):
    for accept in ("*/*", "text/html"):
        response = raw.get(f"/view-loans/1?format={name}", HTTP_ACCEPT=accept)
        assert response.status_code in (404, 406), (name, accept)
        envelope(response)


def post_json(raw, path, text, **headers):
    return raw.generic("POST", path, text.encode(), content_type="application/json", **headers)


def test_json_nested_thousands_of_levels_deep_is_a_400(raw):
    # Within the size limit: 20,000 and 10,000 levels.
    for body in ("[" * 20000 + "]" * 20000, '{"a":' * 10000 + "1" + "}" * 10000):
        response = post_json(raw, "/register", body)
        assert response.status_code == 400
        assert envelope(response) == {
            "code": "malformed_request",
            "message": "Malformed JSON: nested too deeply.",
            "fields": {},
        }


@pytest.mark.parametrize(
    ("number", "field", "message"),
    [
        ("1e999999999", "tenure", "A valid integer is required."),
        ("-1e999999999", "tenure", "A valid integer is required."),
        ("9" * 5000, "tenure", "A valid integer is required."),
        ("1e999999999", "loan_amount", "Ensure that there are no more than 14 digits in total."),
        ("1e-999999999", "loan_amount", "Ensure that there are no more than 14 digits in total."),
        ("9" * 5000, "loan_amount", "Ensure that there are no more than 14 digits in total."),
        ("1e999999999", "interest_rate", "Ensure this value is less than or equal to 100."),
    ],
)
def test_numbers_of_any_size_or_exponent_are_field_errors(raw, number, field, message):
    body = json.dumps({**APPLICATION, field: 0}).replace(f'"{field}": 0', f'"{field}": {number}')
    response = post_json(raw, "/check-eligibility", body)
    assert response.status_code == 400
    assert envelope(response)["fields"] == {field: [message]}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("tenure", "1_2"),
        ("tenure", "١٢"),  # Arabic-Indic
        ("tenure", "１２"),  # full-width
        ("loan_amount", "1_000"),
        ("loan_amount", "١٠٠٠"),
        ("loan_amount", "１０００"),
        ("customer_id", "٣"),
    ],
)
def test_only_ascii_digits_are_numbers(raw, field, value):
    response = post_json(raw, "/check-eligibility", json.dumps({**APPLICATION, field: value}))
    assert response.status_code == 400
    assert list(envelope(response)["fields"]) == [field]


def test_thousands_of_query_parameters_form_fields_or_files_are_a_400(raw):
    query = "&".join(f"p{i}=1" for i in range(5000))
    assert envelope(raw.get(f"/view-loans/1?{query}"))["code"] == "malformed_request"
    fields = {f"f{i}": "1" for i in range(5000)}
    response = raw.post("/ingest", fields)
    assert (response.status_code, envelope(response)["code"]) == (400, "malformed_request")
    uploads = {f"file{i}": SimpleUploadedFile(f"{i}.xlsx", b"PK\x03\x04") for i in range(50)}
    response = raw.post("/ingest", uploads)
    assert (response.status_code, envelope(response)["code"]) == (400, "malformed_request")


@override_settings(API_MAX_BODY_BYTES=1024)
def test_a_json_body_over_the_limit_is_a_413(raw):
    response = post_json(raw, "/register", json.dumps({"first_name": "x" * 2000}))
    assert response.status_code == 413
    assert envelope(response) == {
        "code": "request_too_large",
        "message": "A JSON body may be at most 1024 bytes.",
        "fields": {},
    }
    assert post_json(raw, "/register", json.dumps({"first_name": "x"})).status_code == 400


def test_a_form_encoded_body_to_a_json_endpoint_is_a_415(raw):
    response = raw.post("/register", {"first_name": "Asha"})
    assert response.status_code == 415
    assert envelope(response)["code"] == "unsupported_media_type"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_write_to_an_unknown_path_is_the_json_404_not_a_csrf_page(raw, method):
    response = getattr(raw, method)("/no/such/path", data=b"{}", content_type="application/json")
    assert response.status_code == 404
    assert envelope(response)["code"] == "not_found"
    assert raw.post("/metrics").status_code == 405


PYTHON_INTERNALS = re.compile(r"Traceback|codec|Decimal\(|int\(\)|<class|Errno|object at 0x")


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe{}", b"{not json", b'{"a": NaN}', b"[1,", b'{"first_name": "\\ud800"}', b"\x00"],
)
def test_error_messages_never_echo_python_internals(raw, body):
    response = raw.generic("POST", "/register", body, content_type="application/json")
    assert response.status_code == 400
    error = envelope(response)
    assert not PYTHON_INTERNALS.search(json.dumps(error)), error


def test_text_with_control_characters_or_lone_surrogates_is_a_field_error(raw):
    valid = {"last_name": "Rao", "age": 30, "monthly_income": 50000, "phone_number": 9876543210}
    for name, message in [
        ("a\\u0000b", "Must not contain control characters."),
        ("a\\u001bb", "Must not contain control characters."),
        ("\\ud800", "Not a valid string."),
    ]:
        body = json.dumps(valid)[:-1] + f', "first_name": "{name}"}}'
        response = post_json(raw, "/register", body)
        assert envelope(response)["fields"] == {"first_name": [message]}, name


# --- Fuzz: every endpoint, hostile everything ------------------------------------------------

PATHS = [
    "/register",
    "/check-eligibility",
    "/create-loan",
    "/view-loan/{loan}",
    "/view-loans/{customer}",
    "/loans/{loan}/schedule",
    "/loans/{loan}/payments",
    "/loans/{loan}/payoff",
    "/loans/{loan}/notes",
    "/loans/{loan}/promises",
    "/customers/{customer}/decisions",
    "/decisions/1",
    "/health",
    "/ingest",
    "/ingest/1",
    "/metrics",
    "/api/schema",
]
HOSTILE_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["1e999999999", "١٢", "1_0", "\x00", "NaN", "-0", "9" * 50, "2026-02-30", "", " "]
    ),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    HOSTILE_TEXT,
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = st.sampled_from(
    [
        "customer_id",
        "loan_amount",
        "interest_rate",
        "tenure",
        "first_name",
        "last_name",
        "age",
        "monthly_income",
        "phone_number",
        "amount",
        "paid_on",
    ]
)
BODIES = st.one_of(
    st.dictionaries(FIELDS, JSON_VALUES, max_size=6).map(json.dumps),
    JSON_VALUES.map(json.dumps),
    st.binary(max_size=40).map(lambda raw: raw.decode("latin-1")),
    st.sampled_from(["1e999999999", "[" * 3000, '{"tenure": 1e400}', "\ud800"]),
)
HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "HTTP_ACCEPT": HOSTILE_TEXT,
        "HTTP_IDEMPOTENCY_KEY": HOSTILE_TEXT,
        "HTTP_X_API_KEY": HOSTILE_TEXT,
        "HTTP_X_REQUEST_ID": HOSTILE_TEXT,
        "HTTP_X_FORWARDED_FOR": HOSTILE_TEXT,
        "CONTENT_TYPE": st.sampled_from(
            [
                "application/json",
                "application/json; charset=latin-1",
                "text/plain",
                "multipart/form-data",
                "multipart/form-data; boundary=x",
                "application/x-www-form-urlencoded",
            ]
        ),
    },
)
QUERIES = st.dictionaries(
    st.sampled_from(["status", "on", "page", "page_size", "format", "x"]), HOSTILE_TEXT, max_size=3
)


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.sampled_from(PATHS),
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]),
    ids=st.sampled_from(["1", "0", "9223372036854775807", "99999999999999999999", "1e3", "-1"]),
    body=BODIES,
    headers=HEADERS,
    query=QUERIES,
)
def test_no_request_to_any_endpoint_gets_a_5xx(raw, path, method, ids, body, headers, query):
    # Data persists across the examples (one test transaction): a customer and a loan to find.
    if not Loan.objects.exists():
        LoanFactory.create()
    url = (
        path.format(loan=ids, customer=ids)
        + "?"
        + urlencode(query, encoding="utf-8", errors="surrogatepass")
    )
    content_type = headers.pop("CONTENT_TYPE", "application/json")
    payload = body.encode("utf-8", "surrogatepass")
    response = raw.generic(method, url, payload, content_type=content_type, **headers)
    assert response.status_code < 500, (method, url, response.content[:300])
