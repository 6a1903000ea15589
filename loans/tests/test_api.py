from datetime import date
from decimal import Decimal

import pytest

from customers.tests.factories import CustomerFactory
from decisions.models import CreditDecision
from loans.models import Loan, LoanOrigin, LoanStatus
from loans.tests.factories import LoanFactory

pytestmark = pytest.mark.django_db

APPLICATION = {"loan_amount": 100000, "interest_rate": 10, "tenure": 12}
# How LoanFactory's default loan reads through the API on 2026-06-15.
FACTORY_LOAN = {
    "loan_amount": 100000.00,
    "interest_rate": 10.00,
    "monthly_installment": 8791.59,
    "tenure": 12,
    "repayments_left": 12,
    "status": "active",
    "start_date": "2026-06-15",
    "end_date": "2027-06-15",
    "days_past_due": 0,
    "delinquency_bucket": "current",
}


@pytest.fixture
def customer():
    return CustomerFactory.create(
        first_name="Asha",
        last_name="Rao",
        age=30,
        phone_number=9876543210,
        monthly_salary=Decimal("100000"),
        approved_limit=Decimal("1000000"),
    )


def test_check_eligibility_for_a_thin_file_corrects_the_rate_to_12(api, customer):
    response = api.post(
        "/check-eligibility", {**APPLICATION, "customer_id": customer.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {
        "customer_id": customer.pk,
        "approval": True,
        "interest_rate": 10.00,
        "corrected_interest_rate": 12.00,
        "tenure": 12,
        "monthly_installment": 8884.88,
        "credit_score": 40,
        "score_breakdown": {
            "repayment_on_time": 0.00,
            "loans_taken": 0.00,
            "current_year_activity": 25.00,
            "approved_volume": 15.00,
        },
        "reasons": [],
        "decision_id": CreditDecision.objects.get().pk,
        # 50% of 1,00,000 buys 5,62,753.92 at 12% over 12 months; 1 lakh fits in 3 months.
        "max_eligible_amount": 562753.92,
        "min_tenure_months": 3,
        "needs_approval": False,
    }
    assert b'"interest_rate":10.00,"corrected_interest_rate":12.00' in response.content
    assert not Loan.objects.exists()


def test_check_eligibility_lists_every_failed_rule(api, customer):
    LoanFactory.create(
        customer=customer, loan_amount=Decimal("950000"), monthly_installment=Decimal("45000")
    )
    response = api.post(
        "/check-eligibility/",
        {
            "customer_id": customer.pk,
            "loan_amount": "60000.50",
            "interest_rate": "16.5",
            "tenure": 6,
        },
        format="json",
    )
    body = response.json()
    assert response.status_code == 200
    assert body["approval"] is False
    assert body["credit_score"] == 20  # 0 + 0 + 18.75 activity + 0.75 volume = 19.5, half up
    assert body["corrected_interest_rate"] == 16.5
    assert [reason["code"] for reason in body["reasons"]] == [
        "emi_over_half_salary",
        "approved_limit_exceeded",
    ]
    assert body["reasons"][0]["message"] == (
        "Monthly installments would total 55486.81, more than 50% of the monthly salary (50000.00)."
    )


def test_create_loan_books_at_the_corrected_rate_and_returns_201(api, customer):
    response = api.post("/create-loan", {**APPLICATION, "customer_id": customer.pk}, format="json")
    assert response.status_code == 201
    loan = Loan.objects.get()
    assert response.json() == {
        "loan_id": loan.pk,
        "customer_id": customer.pk,
        "loan_approved": True,
        "message": "Loan approved.",
        "monthly_installment": 8884.88,
        "decision_id": CreditDecision.objects.get(loan=loan).pk,
        "max_eligible_amount": 562753.92,
        "min_tenure_months": 3,
    }
    assert (loan.loan_amount, loan.interest_rate, loan.monthly_installment) == (
        Decimal("100000.00"),
        Decimal("12.00"),
        Decimal("8884.88"),
    )
    assert (loan.start_date, loan.end_date, loan.tenure) == (
        date(2026, 6, 15),
        date(2027, 6, 15),
        12,
    )
    assert (loan.emis_paid_on_time, loan.status, loan.origin) == (0, "active", "booked")


def test_create_loan_rejected_answers_200_with_the_reasons_and_books_nothing(api, customer):
    response = api.post(
        "/create-loan/",
        {**APPLICATION, "customer_id": customer.pk, "loan_amount": 1000000.01},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {
        "loan_id": None,
        "customer_id": customer.pk,
        "loan_approved": False,
        "message": "Loan not approved: Monthly installments would total 88848.79, more than 50% "
        "of the monthly salary (50000.00). Current loans plus this one would total 1000000.01, "
        "more than the approved limit (1000000.00).",
        "monthly_installment": 88848.79,
        "decision_id": CreditDecision.objects.get().pk,
        "max_eligible_amount": 562753.92,
        "min_tenure_months": None,  # no tenure brings 10,00,000.01 under the limit
    }
    assert not Loan.objects.exists()


def test_booked_loans_count_against_the_limit_for_the_next_application(api, customer):
    def apply(amount):
        body = {
            "customer_id": customer.pk,
            "loan_amount": amount,
            "interest_rate": 12,
            "tenure": 36,
        }
        return api.post("/create-loan", body, format="json")

    assert apply(600000).status_code == 201
    refused = apply("400000.01")
    assert (refused.status_code, refused.json()["loan_approved"]) == (200, False)
    assert refused.json()["message"] == (
        "Loan not approved: Current loans plus this one would total 1000000.01, "
        "more than the approved limit (1000000.00)."
    )
    assert apply(400000).status_code == 201
    assert Loan.objects.count() == 2


@pytest.mark.parametrize("path", ["/check-eligibility", "/create-loan"])
def test_unknown_customer_is_404(api, path):
    response = api.post(path, {**APPLICATION, "customer_id": 999}, format="json")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "customer_not_found", "message": "No customer with id 999.", "fields": {}}
    }


@pytest.mark.parametrize("path", ["/check-eligibility", "/create-loan"])
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("loan_amount", 0, "Must be greater than 0."),
        ("loan_amount", -100, "Must be greater than 0."),
        ("loan_amount", "lots", "A valid number is required."),
        ("loan_amount", 100.005, "Ensure that there are no more than 2 decimal places."),
        (
            "loan_amount",
            10**13,
            "Ensure that there are no more than 12 digits before the decimal point.",
        ),
        ("interest_rate", -0.01, "Ensure this value is greater than or equal to 0."),
        ("interest_rate", 100.01, "Ensure this value is less than or equal to 100."),
        ("tenure", 0, "Ensure this value is greater than or equal to 1."),
        ("tenure", 361, "Ensure this value is less than or equal to 360."),
        ("tenure", 12.5, "A valid integer is required."),
        ("customer_id", 2**63, "Ensure this value is less than or equal to 9223372036854775807."),
        ("customer_id", None, "This field may not be null."),
    ],
)
def test_invalid_application_fields_are_400(api, customer, path, field, value, message):
    body = {**APPLICATION, "customer_id": customer.pk, field: value}
    response = api.post(path, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {field: [message]}
    assert not Loan.objects.exists()


def test_every_application_field_is_required(api):
    response = api.post("/check-eligibility", {}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        name: ["This field is required."]
        for name in ("customer_id", "loan_amount", "interest_rate", "tenure")
    }


def test_view_loan_shows_the_loan_and_its_customer(api, customer):
    loan = LoanFactory.create(customer=customer)
    response = api.get(f"/view-loan/{loan.pk}")
    assert response.status_code == 200
    assert response.json() == {
        **FACTORY_LOAN,
        "loan_id": loan.pk,
        "customer": {
            "id": customer.pk,
            "first_name": "Asha",
            "last_name": "Rao",
            "phone_number": 9876543210,
            "age": 30,
        },
    }
    assert api.get(f"/view-loan/{loan.pk}/").status_code == 200


def test_view_loan_unknown_id_is_404(api):
    response = api.get("/view-loan/424242")
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "loan_not_found",
        "message": "No loan with id 424242.",
        "fields": {},
    }


@pytest.mark.parametrize("path", ["/view-loan/99999999999999999999", "/view-loan/abc"])
def test_ids_that_cannot_be_loan_ids_are_404(api, path):
    response = api.get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_imported_loans_owe_only_the_installments_not_yet_due(api, customer):
    # Started 2024-01-10 for 36 months: 29 installments fell due by 2026-06-15, 7 remain.
    imported = LoanFactory.create(
        customer=customer,
        origin=LoanOrigin.IMPORTED,
        start_date=date(2024, 1, 10),
        tenure=36,
        emis_paid_on_time=20,
    )
    assert api.get(f"/view-loan/{imported.pk}").json()["repayments_left"] == 7


def test_view_loans_lists_every_loan_and_filters_current_ones(api, customer, set_today):
    ended = LoanFactory.create(
        customer=customer, start_date=date(2020, 1, 1), origin=LoanOrigin.IMPORTED
    )
    running = LoanFactory.create(customer=customer, loan_amount=Decimal("250000.50"))
    closed = LoanFactory.create(customer=customer, status=LoanStatus.CLOSED)
    LoanFactory.create()  # someone else's
    everything = api.get(f"/view-loans/{customer.pk}")
    assert everything.status_code == 200
    assert everything.json() == [
        {
            **FACTORY_LOAN,
            "loan_id": ended.pk,
            "repayments_left": 0,
            "status": "closed",
            "start_date": "2020-01-01",
            "end_date": "2021-01-01",
        },
        {**FACTORY_LOAN, "loan_id": running.pk, "loan_amount": 250000.50},
        {**FACTORY_LOAN, "loan_id": closed.pk, "repayments_left": 0, "status": "closed"},
    ]
    active = api.get(f"/view-loans/{customer.pk}/?status=active").json()
    assert [loan["loan_id"] for loan in active] == [running.pk]
    closed_ones = api.get(f"/view-loans/{customer.pk}?status=closed").json()
    assert [loan["loan_id"] for loan in closed_ones] == [ended.pk, closed.pk]
    # The last day of the term is still current; the day after is not.
    set_today(date(2027, 6, 15))
    assert len(api.get(f"/view-loans/{customer.pk}?status=active").json()) == 1
    set_today(date(2027, 6, 16))
    assert api.get(f"/view-loans/{customer.pk}?status=active").json() == []


def test_view_loans_of_a_customer_without_loans_is_an_empty_list(api, customer):
    response = api.get(f"/view-loans/{customer.pk}")
    assert (response.status_code, response.json()) == (200, [])


def test_view_loans_unknown_customer_is_404_and_bad_status_is_400(api, customer):
    assert api.get("/view-loans/999").json()["error"]["code"] == "customer_not_found"
    response = api.get(f"/view-loans/{customer.pk}?status=everything")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"status": ['"everything" is not a valid choice.']}


def test_the_score_reads_each_loans_emis_paid_on_time_from_the_database(api, customer):
    # 12 installments due by 2026-06-15, 6 of them paid on time: half of the 35 points.
    LoanFactory.create(
        customer=customer,
        start_date=date(2025, 6, 15),
        tenure=24,
        emis_paid_on_time=6,
        installments_paid=12,
    )
    body = api.post(
        "/check-eligibility", {**APPLICATION, "customer_id": customer.pk}, format="json"
    ).json()
    assert body["score_breakdown"] == {
        "repayment_on_time": 17.50,
        "loans_taken": 0.00,
        "current_year_activity": 25.00,
        "approved_volume": 13.50,
    }
    assert body["credit_score"] == 56


def test_a_path_takes_exactly_the_ids_a_body_may_carry(api, customer):
    """core.limits.LARGEST_ID bounds both: the largest is looked up, one more is no id."""
    largest = 2**63 - 1
    assert api.get(f"/view-loan/{largest}").json()["error"]["code"] == "loan_not_found"
    assert api.get(f"/view-loan/{largest + 1}").json()["error"]["code"] == "not_found"
    assert api.get("/view-loan/0").json()["error"]["code"] == "not_found"
    body = {**APPLICATION, "customer_id": largest}
    found = api.post("/check-eligibility", body, format="json").json()["error"]
    assert found["code"] == "customer_not_found"
    too_large = api.post("/check-eligibility", {**body, "customer_id": largest + 1}, format="json")
    assert too_large.json()["error"]["fields"] == {
        "customer_id": ["Ensure this value is less than or equal to 9223372036854775807."]
    }
    zero = api.post("/check-eligibility", {**body, "customer_id": 0}, format="json")
    assert zero.json()["error"]["fields"] == {
        "customer_id": ["Ensure this value is greater than or equal to 1."]
    }
