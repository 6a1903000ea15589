"""The one error envelope: every 4xx is JSON with code, message and fields; no HTML pages."""

import io
from decimal import Decimal

import pytest

from core.json import DecimalJSONParser, DecimalJSONRenderer

pytestmark = pytest.mark.django_db


def test_malformed_json_is_400_in_the_envelope(api):
    response = api.post("/register", data="{not json", content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "malformed_request"
    assert error["message"].startswith("Malformed JSON:")
    assert error["fields"] == {}


@pytest.mark.parametrize("payload", ["[1, 2]", '"text"', "NaN", '{"age": Infinity}'])
def test_json_that_is_not_an_object_or_uses_non_numbers_is_400(api, payload):
    response = api.post("/register", data=payload, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"malformed_request", "validation_error"}


def test_a_json_list_body_is_a_validation_error_not_a_crash(api):
    response = api.post("/check-eligibility", data="[]", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "non_field_errors": ["Invalid data. Expected a dictionary, but got list."]
    }


def test_wrong_method_is_405(api):
    response = api.get("/register")
    assert response.status_code == 405
    assert response.json() == {
        "error": {
            "code": "method_not_allowed",
            "message": 'Method "GET" not allowed.',
            "fields": {},
        }
    }
    assert api.delete("/view-loan/1").status_code == 405


def test_unsupported_media_type_is_415(api):
    response = api.post("/register", data="a=b", content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_unknown_path_is_a_json_404(api):
    response = api.get("/no-such-endpoint")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": {
            "code": "not_found",
            "message": "No endpoint at /no-such-endpoint.",
            "fields": {},
        }
    }


def test_paths_with_and_without_slash_answer_without_redirect(api):
    assert api.get("/health").status_code == 200
    assert api.get("/health/").status_code == 200


def test_numbers_with_fractions_are_parsed_as_decimal_never_float():
    """17 significant digits: a float would come back as 1.2345678901234568e+16."""
    body = b'{"amount": 12345678901234567.89, "rate": 0.1, "count": 3}'
    parsed = DecimalJSONParser().parse(io.BytesIO(body))
    assert parsed == {"amount": Decimal("12345678901234567.89"), "rate": Decimal("0.1"), "count": 3}
    assert type(parsed["amount"]) is Decimal
    assert type(parsed["count"]) is int


def test_decimals_are_written_as_json_numbers_with_their_digits():
    rendered = DecimalJSONRenderer().render(
        {"amount": Decimal("100000.00"), "rate": Decimal("8.20")}
    )
    assert rendered == b'{"amount":100000.00,"rate":8.20}'


def test_text_is_utf_8_lists_nest_and_nothing_else_is_guessed():
    renderer = DecimalJSONRenderer()
    body = {"name": "Åsa Rāo", "loans": [{"amount": Decimal("1.50")}], "none": None}
    assert renderer.render(body) == (
        '{"name":"Åsa Rāo","loans":[{"amount":1.50}],"none":null}'.encode()
    )
    assert renderer.render(None) == b""
    with pytest.raises(TypeError, match=r"^Type is not JSON serializable: object"):
        renderer.render({"what": object()})


@pytest.mark.parametrize(
    "accept",
    [None, "*/*", "application/json", "application/*", "text/html, application/json;q=0.9"],
)
def test_json_is_served_to_every_client_that_accepts_it(api, accept):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    response = api.get("/view-loans/1", **headers)
    assert (response.status_code, response["Content-Type"]) == (404, "application/json")


@pytest.mark.parametrize("accept", ["text/html", "application/xml", "text/*"])
def test_a_client_that_accepts_no_json_gets_406(api, accept):
    response = api.get("/view-loans/1", HTTP_ACCEPT=accept)
    assert response.status_code == 406
    assert response.json()["error"]["code"] == "not_acceptable"
