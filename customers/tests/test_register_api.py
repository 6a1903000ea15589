from decimal import Decimal

import pytest

from credit.policy import approved_limit_for
from credit.tests.history import POLICY
from customers.models import Customer

VALID = {
    "first_name": "Asha",
    "last_name": "Rao",
    "age": 30,
    "monthly_income": 50000,
    "phone_number": 9876543210,
}


@pytest.mark.django_db
def test_register_creates_the_customer_with_36_times_income_to_the_lakh(api):
    response = api.post("/register", VALID, format="json")
    assert response.status_code == 201
    body = response.json()
    customer = Customer.objects.get()
    assert body == {
        "customer_id": customer.pk,
        "name": "Asha Rao",
        "age": 30,
        "monthly_income": 50000.00,
        "approved_limit": 1800000.00,
        "phone_number": 9876543210,
    }
    assert b'"monthly_income":50000.00' in response.content
    assert b'"approved_limit":1800000.00' in response.content
    assert customer.monthly_salary == Decimal("50000.00")
    assert customer.approved_limit == Decimal("1800000.00")


@pytest.mark.parametrize(
    ("income", "limit"),
    [
        (12499, "400000"),  # 4,49,964 → 4 lakh
        (12500, "500000"),  # 4,50,000 is exactly half way → rounds up
        (12501, "500000"),
        (1388, "0"),  # 49,968 → 0
        (1389, "100000"),  # 50,004 → 1 lakh
    ],
)
def test_approved_limit_rounds_to_the_nearest_lakh_with_halves_up(income, limit):
    assert approved_limit_for(Decimal(income), POLICY) == Decimal(limit)


@pytest.mark.django_db
def test_register_also_answers_with_a_trailing_slash(api):  # the others post without
    assert api.post("/register/", VALID, format="json").status_code == 201


@pytest.mark.django_db
def test_a_phone_number_already_registered_is_a_conflict(api):
    api.post("/register", VALID, format="json")
    response = api.post("/register", {**VALID, "first_name": "Other"}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "code": "phone_number_taken",
            "message": "Phone number 9876543210 is already registered.",
            "fields": {"phone_number": ["This phone number is already registered."]},
        }
    }
    assert Customer.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "", "This field may not be blank."),
        ("last_name", "   ", "This field may not be blank."),
        ("age", 17, "Ensure this value is greater than or equal to 18."),
        ("age", 101, "Ensure this value is less than or equal to 100."),
        ("age", 30.5, "A valid integer is required."),
        ("age", "thirty", "A valid integer is required."),
        ("monthly_income", 0, "Ensure this value is greater than or equal to 1."),
        ("monthly_income", -5000, "Ensure this value is greater than or equal to 1."),
        ("monthly_income", 50000.5, "A valid integer is required."),
        ("phone_number", 987654321, "Must be a 10-digit number."),
        ("phone_number", 98765432100, "Must be a 10-digit number."),
        ("phone_number", "98765abcde", "A valid integer is required."),
        ("phone_number", None, "This field may not be null."),
    ],
)
def test_invalid_fields_get_a_400_naming_the_field(api, field, value, message):
    response = api.post("/register", {**VALID, field: value}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["fields"] == {field: [message]}
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_missing_fields_are_each_named(api):
    response = api.post("/register", {}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        name: ["This field is required."] for name in VALID
    }


@pytest.mark.django_db
def test_income_beyond_the_supported_range_is_a_400_not_an_overflow(api):
    response = api.post("/register", {**VALID, "monthly_income": 10**12}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "monthly_income": ["Ensure this value is less than or equal to 1000000000."]
    }


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["+91 98765 43210", "98765-43210", "+919876543210"])
def test_a_phone_number_may_come_as_people_type_it(api, typed):
    response = api.post("/register", {**VALID, "phone_number": typed}, format="json")
    assert response.status_code == 201
    assert response.json()["phone_number"] == 9876543210
