from datetime import date, timedelta
from decimal import Decimal

import pytest

from core.auth import Role
from core.tests.test_roles import make_key
from customers.tests.factories import CustomerFactory
from loans.models import Loan, LoanOrigin, LoanStatus, Payment
from loans.tests.factories import LoanFactory

pytestmark = pytest.mark.django_db

START = date(2026, 6, 15)  # LoanFactory: 1,00,000 at 10% for 12 months, EMI 8791.59


def pay(api, loan, amount, paid_on=None):
    body = {"amount": str(amount)}
    if paid_on:
        body["paid_on"] = paid_on.isoformat()
    return api.post(f"/loans/{loan.pk}/payments", body, format="json")


def test_schedule_lists_every_installment_with_its_status(api, set_today):
    loan = LoanFactory.create()
    set_today(date(2026, 8, 20))  # installment 1 (15 July) paid, 2 (15 August) five days late
    assert pay(api, loan, "8791.59", date(2026, 7, 15)).status_code == 201
    response = api.get(f"/loans/{loan.pk}/schedule")
    assert response.status_code == 200
    body = response.json()
    assert (body["loan_id"], body["days_past_due"], body["delinquency_bucket"]) == (
        loan.pk,
        5,
        "SMA-0",
    )
    assert len(body["installments"]) == 12
    assert body["installments"][:3] == [
        {
            "number": 1,
            "due_date": "2026-07-15",
            "amount": 8791.59,
            "interest": 833.33,
            "principal": 7958.26,
            "balance": 92041.74,
            "status": "paid",
            "paid_on": "2026-07-15",
        },
        {
            "number": 2,
            "due_date": "2026-08-15",
            "amount": 8791.59,
            "interest": 767.01,
            "principal": 8024.58,
            "balance": 84017.16,
            "status": "overdue",
            "paid_on": None,
        },
        {
            "number": 3,
            "due_date": "2026-09-15",
            "amount": 8791.59,
            "interest": 700.14,
            "principal": 8091.45,
            "balance": 75925.71,
            "status": "upcoming",
            "paid_on": None,
        },
    ]
    assert body["installments"][-1]["amount"] == 8791.56
    assert body["installments"][-1]["balance"] == 0.00
    view = api.get(f"/view-loan/{loan.pk}").json()
    assert (view["days_past_due"], view["delinquency_bucket"], view["repayments_left"]) == (
        5,
        "SMA-0",
        11,
    )


@pytest.mark.parametrize(
    ("today", "days", "bucket"),
    [
        (date(2026, 7, 15), 0, "current"),
        (date(2026, 8, 14), 30, "SMA-0"),
        (date(2026, 8, 15), 31, "SMA-1"),
        (date(2026, 10, 13), 90, "SMA-2"),
        (date(2026, 10, 14), 91, "NPA"),
    ],
)
def test_unpaid_loans_move_through_the_delinquency_buckets(api, set_today, today, days, bucket):
    loan = LoanFactory.create()
    set_today(today)
    listed = api.get(f"/view-loans/{loan.customer_id}").json()[0]
    assert (listed["days_past_due"], listed["delinquency_bucket"]) == (days, bucket)


def test_history_loans_schedule_paid_rows_by_date_without_paid_on(api):
    loan = LoanFactory.create(origin=LoanOrigin.IMPORTED, start_date=date(2026, 1, 10))
    body = api.get(f"/loans/{loan.pk}/schedule").json()
    statuses = [row["status"] for row in body["installments"]]
    assert statuses == ["paid"] * 5 + ["upcoming"] * 7
    assert {row["paid_on"] for row in body["installments"]} == {None}
    assert body["days_past_due"] == 0


def test_a_loan_paid_off_installment_by_installment_closes_and_frees_the_limit(api, set_today):
    customer = CustomerFactory.create(
        monthly_salary=Decimal(100000), approved_limit=Decimal(1000000)
    )
    first = {"customer_id": customer.pk, "loan_amount": 600000, "interest_rate": 16, "tenure": 36}
    booked = api.post("/create-loan", first, format="json")
    assert booked.status_code == 201
    loan = Loan.objects.get(pk=booked.json()["loan_id"])
    rows = api.get(f"/loans/{loan.pk}/schedule").json()["installments"]
    second = {**first, "loan_amount": 500000}
    late = {5, 17}
    for row in rows[:-1]:
        due = date.fromisoformat(row["due_date"])
        paid_on = due + timedelta(days=10) if row["number"] in late else due
        set_today(paid_on)
        response = pay(api, loan, row["amount"])
        assert response.status_code == 201, response.json()
        assert response.json()["repayments_left"] == 36 - row["number"]
    set_today(date.fromisoformat(rows[-1]["due_date"]))
    refused = api.post("/create-loan", second, format="json").json()
    assert refused["loan_approved"] is False
    assert "approved limit" in refused["message"]

    last = pay(api, loan, rows[-1]["amount"])
    assert last.status_code == 201
    assert last.json()["repayments_left"] == 0
    assert last.json()["loan_status"] == "closed"
    loan.refresh_from_db()
    assert (loan.status, loan.emis_paid_on_time, loan.installments_paid) == ("closed", 34, 36)
    view = api.get(f"/view-loan/{loan.pk}").json()
    assert (view["repayments_left"], view["days_past_due"], view["status"]) == (0, 0, "closed")
    approved = api.post("/create-loan", second, format="json")
    assert approved.status_code == 201
    assert approved.json()["loan_approved"] is True


def test_partial_payments_wait_until_an_installment_is_covered(api):
    loan = LoanFactory.create()
    assert pay(api, loan, "5000").json()["repayments_left"] == 12
    assert pay(api, loan, "3791.59").json()["repayments_left"] == 11
    loan.refresh_from_db()
    assert (loan.installments_paid, loan.emis_paid_on_time) == (1, 1)


def test_payoff_quote_and_paying_it_closes_the_loan(api, set_today):
    loan = LoanFactory.create()
    # 15 of the 30 days from 15 June to 15 July: 833.33 × 15/30 = 416.665 → 416.67.
    quote = api.get(f"/loans/{loan.pk}/payoff?on=2026-06-30")
    assert quote.status_code == 200
    assert quote.json() == {
        "loan_id": loan.pk,
        "on": "2026-06-30",
        "outstanding_principal": 100000.00,
        "accrued_interest": 416.67,
        "total": 100416.67,
    }
    set_today(date(2026, 6, 30))
    assert api.get(f"/loans/{loan.pk}/payoff").json()["total"] == 100416.67
    over = pay(api, loan, "100416.68")
    assert (over.status_code, over.json()["error"]["code"]) == (409, "conflict")
    assert over.json()["error"]["fields"] == {
        "amount": ["Exceeds the payoff amount (100416.67) on 2026-06-30."]
    }
    closed = pay(api, loan, "100416.67")
    assert closed.status_code == 201
    body = closed.json()
    assert body.pop("recorded_at").startswith("20")
    assert body == {
        "payment_id": Payment.objects.get().pk,
        "loan_id": loan.pk,
        "amount": 100416.67,
        "paid_on": "2026-06-30",
        "mode": None,
        "reference": None,
        "repayments_left": 0,
        "loan_status": "closed",
        "recorded_by": "",
        "settles_loan": True,
        "reversed": False,
        "reversed_at": None,
        "reversed_by": "",
        "reversal_reason": "",
    }
    loan.refresh_from_db()
    assert (loan.status, loan.emis_paid_on_time) == (LoanStatus.CLOSED, 12)
    assert api.get(f"/loans/{loan.pk}/payoff").json()["total"] == 0.00
    again = pay(api, loan, "1")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "loan_closed"


def test_payoff_before_the_start_is_refused_by_the_loan_not_the_schema(api):
    """A well-formed date the loan's state refuses: 409 (a 400 is for what the OpenAPI
    document itself refuses)."""
    loan = LoanFactory.create()
    response = api.get(f"/loans/{loan.pk}/payoff?on=2026-06-14")
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "conflict",
        "message": "The payoff was not quoted.",
        "fields": {"on": ["Must not be before the loan's start (2026-06-15)."]},
    }


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"amount": "0"}, "amount", "Must be greater than 0."),
        ({"amount": "-5"}, "amount", "Must be greater than 0."),
        ({"amount": "1.001"}, "amount", "Ensure that there are no more than 2 decimal places."),
        ({}, "amount", "This field is required."),
        (
            {"amount": "10", "paid_on": "2026-02-30"},
            "paid_on",
            "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
        ),
    ],
)
def test_invalid_payments_are_400_and_record_nothing(api, body, field, message):
    loan = LoanFactory.create()
    response = api.post(f"/loans/{loan.pk}/payments", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {field: [message]}
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"amount": "10", "paid_on": "2026-06-14"},
            "Must not be before the loan's start (2026-06-15).",
        ),
        ({"amount": "10", "paid_on": "2026-06-16"}, "Must not be in the future."),
    ],
)
def test_a_payment_on_a_day_the_loan_refuses_is_409_and_records_nothing(api, body, message):
    loan = LoanFactory.create()
    response = api.post(f"/loans/{loan.pk}/payments", body, format="json")
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "conflict",
        "message": "The payment was not recorded.",
        "fields": {"paid_on": [message]},
    }
    assert not Payment.objects.exists()


def test_a_payment_dated_before_the_last_one_is_refused(api, set_today):
    loan = LoanFactory.create()
    set_today(date(2026, 8, 1))
    assert pay(api, loan, "100", date(2026, 7, 20)).status_code == 201
    response = pay(api, loan, "100", date(2026, 7, 19))
    assert response.status_code == 409
    assert response.json()["error"]["fields"] == {
        "paid_on": ["Must not be before the last payment (2026-07-20)."]
    }
    assert Payment.objects.count() == 1


def test_history_loans_take_no_payments_here(api):
    loan = LoanFactory.create(origin=LoanOrigin.IMPORTED)
    response = pay(api, loan, "100")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "loan_not_serviced_here"


def test_unknown_loans_are_404_everywhere(api):
    for path in ("/loans/999/schedule", "/loans/999/payoff"):
        assert api.get(path).json()["error"]["code"] == "loan_not_found"
    assert api.post("/loans/999/payments", {"amount": 1}, format="json").status_code == 404


def test_a_retried_payment_with_its_idempotency_key_is_recorded_once(api):
    loan = LoanFactory.create()
    headers = {"Idempotency-Key": "pay-2026-06-15-001"}
    first = api.post(
        f"/loans/{loan.pk}/payments", {"amount": "8791.59"}, format="json", headers=headers
    )
    retry = api.post(
        f"/loans/{loan.pk}/payments", {"amount": "8791.59"}, format="json", headers=headers
    )
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Payment.objects.count() == 1
    other = api.post(
        f"/loans/{loan.pk}/payments", {"amount": "1.00"}, format="json", headers=headers
    )
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"


def test_history_loans_amortise_at_the_contract_emi_not_the_files_monthly_payment(api):
    # docs/servicing.md: 9,00,000 at 8.2% over 129 months; the file says 15,344 a month.
    loan = LoanFactory.create(
        origin=LoanOrigin.IMPORTED,
        loan_amount=Decimal("900000.00"),
        interest_rate=Decimal("8.20"),
        tenure=129,
        monthly_installment=Decimal("15344.00"),
    )
    rows = api.get(f"/loans/{loan.pk}/schedule").json()["installments"]
    assert len(rows) == 129
    assert {row["amount"] for row in rows[:-1]} == {10520.10}
    assert rows[-1]["balance"] == 0.00
    assert api.get(f"/view-loan/{loan.pk}").json()["monthly_installment"] == 15344.00


def test_a_payment_records_the_key_that_asked_and_says_so(api, set_today):
    loan = LoanFactory.create()
    set_today(START + timedelta(days=20))
    key = make_key("branch-cashier", Role.OFFICER)
    answer = api.post(
        f"/loans/{loan.pk}/payments", {"amount": 1000}, format="json", HTTP_X_API_KEY=key
    )
    assert (answer.status_code, answer.json()["recorded_by"]) == (201, "branch-cashier")
    assert Payment.objects.get().recorded_by == "branch-cashier"
