"""One JSON line per request with method, path, status, duration and the echoed request id;
never a name, phone number or API key."""

import json
import logging
import sys

import pytest
from django.test import override_settings

from core.logging import REQUEST_ID, JsonFormatter

pytestmark = pytest.mark.django_db
KEY = "secret-client-key-0123456789"


@pytest.fixture
def lines(caplog):
    caplog.set_level(logging.DEBUG)
    formatter = JsonFormatter()

    def formatted():
        return [json.loads(formatter.format(record)) for record in caplog.records]

    return formatted


def test_each_request_logs_one_line_and_echoes_its_id(api, lines):
    response = api.get("/view-loans/7?status=active", HTTP_X_REQUEST_ID="trace-abc.123")
    assert response["X-Request-ID"] == "trace-abc.123"
    requests = [line for line in lines() if line["logger"] == "core.request"]
    assert len(requests) == 1
    line = requests[0]
    assert line["method"] == "GET"
    assert line["path"] == "/view-loans/7"
    assert line["status"] == 404
    assert line["request_id"] == "trace-abc.123"
    assert line["endpoint"] == "/view-loans/<id:customer_id>"
    assert isinstance(line["duration_ms"], float)
    assert line["level"] == "INFO"


@pytest.mark.parametrize("incoming", [None, "", "has spaces", "x" * 65, 'quote"d'])
def test_a_missing_or_odd_request_id_is_replaced(api, incoming):
    headers = {} if incoming is None else {"HTTP_X_REQUEST_ID": incoming}
    request_id = api.get("/health", **headers)["X-Request-ID"]
    assert request_id != incoming
    assert len(request_id) == 32
    assert int(request_id, 16) >= 0


@override_settings(API_KEYS=[KEY])
def test_no_names_phone_numbers_or_keys_reach_the_logs(api, lines, caplog):
    body = {
        "first_name": "Zenobia",
        "last_name": "Quillfeather",
        "age": 30,
        "monthly_income": 50000,
        "phone_number": 9123456780,
    }
    assert api.post("/register", body, format="json", HTTP_X_API_KEY=KEY).status_code == 201
    assert api.post("/register", body, format="json", HTTP_X_API_KEY=KEY).status_code == 409
    api.post("/register", body, format="json", HTTP_X_API_KEY=KEY + "x")
    logged = "\n".join(json.dumps(line) for line in lines()) + caplog.text
    for secret in ("Zenobia", "Quillfeather", "9123456780", KEY):
        assert secret not in logged


def test_the_formatter_writes_plain_extras_and_exceptions():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.getLogger("x").makeRecord(
            "x",
            logging.ERROR,
            __file__,
            1,
            "failed %s",
            ("job",),
            exc_info=sys.exc_info(),
            extra={"job_id": 4, "request": object()},
        )
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "failed job"
    assert line["job_id"] == 4
    assert "request" not in line
    assert "RuntimeError: boom" in line["exception"]


def record(**extra):
    line = logging.makeLogRecord(
        {"name": "core.request", "levelname": "INFO", "levelno": logging.INFO, "msg": "GET /x 200"}
    )
    line.created = 1_780_000_000.25
    line.__dict__.update(extra)
    return line


def test_a_line_is_compact_json_in_utc_with_non_ascii_as_it_is():
    line = JsonFormatter().format(record(status=200, city="Pune ₹"))
    assert line == (
        '{"time":"2026-05-28T20:26:40.250+00:00","level":"INFO","logger":"core.request",'
        '"message":"GET /x 200","status":200,"city":"Pune ₹"}'
    )


def test_the_request_id_in_context_is_on_the_line():
    token = REQUEST_ID.set("trace-9")
    try:
        line = json.loads(JsonFormatter().format(record()))
    finally:
        REQUEST_ID.reset(token)
    assert line["request_id"] == "trace-9"


def test_an_integer_beyond_64_bits_is_still_written():
    line = json.loads(JsonFormatter().format(record(big=2**70)))
    assert line["big"] == 1180591620717411303424
