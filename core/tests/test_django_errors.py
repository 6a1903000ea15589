"""Django's own Http404, PermissionDenied and ValidationError, raised in a DRF view, answer in
the envelope like the API's own errors (core.errors converts them before DRF's handler)."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("core.tests.django_errors_urls")]


def test_get_object_or_404_answers_the_json_404(api):
    response = api.get("/customers/4242/name")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Not found.", "fields": {}}
    }


def test_django_permission_denied_answers_the_json_403(api):
    response = api.get("/forbidden")
    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "permission_denied",
            "message": "You do not have permission to perform this action.",
            "fields": {},
        }
    }


def test_a_models_validation_error_answers_400_with_its_fields(api):
    response = api.get("/full-clean")
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["message"]) == (
        "validation_error",
        "The request has invalid fields.",
    )
    assert error["fields"] == {
        "first_name": ["This field cannot be blank."],
        "phone_number": ["This field cannot be null."],
        "monthly_salary": ["This field cannot be null."],
        "approved_limit": ["This field cannot be null."],
        "non_field_errors": ["Constraint “customer_age_in_range” is violated."],
    }


def test_a_validation_error_on_no_field_is_a_non_field_error(api):
    response = api.get("/not-a-field")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"non_field_errors": ["Not on a field."]}
