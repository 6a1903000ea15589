"""The one error envelope: every 4xx is JSON with code, message and fields; no HTML pages."""

import pytest

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


def test_numbers_with_fractions_reach_the_serializers_as_decimal(api):
    # 0.1 + 0.2 style float noise would show up as a third decimal place and a 400.
    body = '{"customer_id": 1, "loan_amount": 1000.10, "interest_rate": 8.20, "tenure": 12}'
    response = api.post("/check-eligibility", data=body, content_type="application/json")
    assert response.status_code == 404  # valid input, unknown customer
