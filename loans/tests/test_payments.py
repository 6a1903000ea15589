"""Payments as a cashier records them: mode and reference (a UTR once per mode among live
payments), who recorded them, the list, and a reversal that puts the schedule back."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.auth import Role
from core.tests.test_roles import make_key
from loans.contracts import reference_problem
from loans.models import REFERENCE_LENGTH, Loan, LoanStatus, Payment, PaymentMode
from loans.tests.factories import LoanFactory

pytestmark = pytest.mark.django_db

START = date(2026, 6, 15)  # LoanFactory: 1,00,000 at 10% for 12 months, EMI 8791.59
EMI = "8791.59"


def pay(api, loan, amount=EMI, key=None, **fields):
    headers = {"HTTP_X_API_KEY": key} if key else {}
    body = {"amount": amount, **fields}
    return api.post(f"/loans/{loan.pk}/payments", body, format="json", **headers)


def reverse(api, loan, payment_id, reason="Cheque returned: funds insufficient", **headers):
    return api.post(
        f"/loans/{loan.pk}/payments/{payment_id}/reversal",
        {"reason": reason},
        format="json",
        **headers,
    )


@pytest.fixture
def loan(set_today):
    set_today(date(2026, 9, 20))  # three installments due: 15 July, August, September
    return LoanFactory.create()


def test_a_upi_payment_keeps_its_mode_and_reference_in_capitals(api, loan):
    answer = pay(api, loan, mode="upi", reference=" utr412345678901 ", paid_on="2026-07-15")
    assert answer.status_code == 201
    body = answer.json()
    assert {key: body[key] for key in ("amount", "paid_on", "mode", "reference", "reversed")} == {
        "amount": 8791.59,
        "paid_on": "2026-07-15",
        "mode": "upi",
        "reference": "UTR412345678901",
        "reversed": False,
    }
    assert (body["repayments_left"], body["loan_status"], body["settles_loan"]) == (
        11,
        "active",
        False,
    )
    stored = Payment.objects.get()
    assert (stored.mode, stored.reference) == (PaymentMode.UPI, "UTR412345678901")


def test_an_amount_alone_still_records_a_payment_without_mode(api, loan):
    body = pay(api, loan).json()
    assert (body["mode"], body["reference"], body["recorded_by"]) == (None, None, "")


def test_cash_needs_no_reference(api, loan):
    assert pay(api, loan, mode="cash").json()["reference"] is None


@pytest.mark.parametrize(
    ("fields", "status", "errors"),
    [
        ({"mode": "upi"}, 422, {"reference": ["Required for a upi payment."]}),
        ({"mode": "cheque"}, 422, {"reference": ["Required for a cheque payment."]}),
        ({"reference": "UTR1"}, 422, {"reference": ["Give the mode this reference belongs to."]}),
        ({"mode": "paypal", "reference": "X1"}, 400, {"mode": ["paypal"]}),
        ({"mode": "neft", "reference": "has space"}, 400, {"reference": ["pattern"]}),
        ({"mode": "neft", "reference": "A" * 65}, 400, {"reference": ["64"]}),
    ],
)
def test_a_mode_and_reference_that_do_not_fit_record_nothing(api, loan, fields, status, errors):
    answer = pay(api, loan, **fields)
    assert answer.status_code == status
    found = answer.json()["error"]["fields"]
    assert set(found) == set(errors)
    for name, parts in errors.items():
        assert all(part in found[name][0] for part in parts), found
    assert not Payment.objects.exists()


def test_the_same_utr_twice_is_409_on_any_loan_and_free_again_once_reversed(api, loan):
    first = pay(api, loan, mode="upi", reference="UTR77")
    other = LoanFactory.create()
    answer = pay(api, other, mode="upi", reference="utr77")
    assert answer.status_code == 409
    assert answer.json()["error"] == {
        "code": "payment_reference_taken",
        "message": "The payment was not recorded.",
        "fields": {"reference": ["A upi payment with reference UTR77 is already recorded."]},
    }
    # The same number through another rail is another payment.
    assert pay(api, other, mode="imps", reference="UTR77").status_code == 201
    other.refresh_from_db()
    assert other.installments_paid == 1
    admin = make_key("head-office", Role.ADMIN)
    assert reverse(api, loan, first.json()["payment_id"], HTTP_X_API_KEY=admin).status_code == 200
    assert pay(api, loan, key=admin, mode="upi", reference="UTR77").status_code == 201


def test_the_database_refuses_a_live_reference_twice_whatever_the_service_checks(loan):
    Payment.objects.create(loan=loan, amount=1, paid_on=START, mode="neft", reference="N1")
    with pytest.raises(IntegrityError):
        Payment.objects.create(loan=loan, amount=1, paid_on=START, mode="neft", reference="N1")


@pytest.mark.parametrize(
    "fields",
    [
        {"mode": "upi", "reference": ""},  # a reference every mode but cash needs
        {"mode": "", "reference": "R1"},  # a reference without its mode
    ],
)
def test_the_database_refuses_a_reference_that_does_not_fit_its_mode(loan, fields):
    with pytest.raises(IntegrityError):
        Payment.objects.create(loan=loan, amount=1, paid_on=START, **fields)


def the_table_takes(mode, reference):
    """Whether the payments table takes the row record_payment writes (none as a blank), in a
    savepoint rolled back either way, so no row stays to meet the next one's reference."""
    loan = Loan.objects.get()
    row = {"mode": mode or "", "reference": reference or ""}
    try:
        with transaction.atomic():
            Payment.objects.create(loan=loan, amount=1, paid_on=START, **row)
            transaction.set_rollback(True)
    except IntegrityError:
        return False
    return True


MODES = [None, "", *PaymentMode.values]
NEEDS = "Give the mode this reference belongs to."


@pytest.mark.parametrize(
    ("mode", "reference", "problem"),
    [
        (None, None, None),
        ("", "", None),
        ("cash", None, None),
        ("cash", "", None),
        ("cash", "R1", None),
        *[(mode, None, f"Required for a {mode} payment.") for mode in PaymentMode.values[:-3]],
        ("cheque", None, "Required for a cheque payment."),
        ("nach", "", "Required for a nach payment."),  # a blank is none, as the table keeps it
        ("upi", "", "Required for a upi payment."),
        (None, "UTR1", NEEDS),
        ("", "UTR1", NEEDS),  # no mode, as the table keeps it
        (None, "   ", NEEDS),
        ("upi", "   ", None),  # form and length are the contract's Reference type's
        ("neft", "ü?! x", None),
        ("rtgs", "A" * REFERENCE_LENGTH, None),
    ],
)
def test_reference_problem_refuses_exactly_what_the_payments_table_refuses(
    loan, mode, reference, problem
):
    """Which modes need a reference, and that a reference needs a mode: one rule, stated in
    Python for the API's 422 and in the table's constraints."""
    assert reference_problem(mode, reference) == problem
    assert the_table_takes(mode, reference) == (problem is None)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    mode=st.sampled_from(MODES),
    reference=st.none()
    | st.text(
        st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
        max_size=REFERENCE_LENGTH,
    ),
)
def test_reference_problem_and_the_table_agree_on_any_reference(mode, reference):
    if not Loan.objects.exists():
        LoanFactory.create()
    assert (reference_problem(mode, reference) is None) == the_table_takes(mode, reference)


def test_the_list_shows_every_payment_with_who_recorded_it_and_reversals(api, loan):
    key = make_key("branch-cashier", Role.OFFICER)
    admin = make_key("head-office", Role.ADMIN)
    first = pay(api, loan, key=key, paid_on="2026-07-15", mode="cheque", reference="000123")
    pay(api, loan, key=key, paid_on="2026-08-14", mode="upi", reference="UTR2")
    reverse(api, loan, first.json()["payment_id"], HTTP_X_API_KEY=admin)
    answer = api.get(f"/loans/{loan.pk}/payments", HTTP_X_API_KEY=key)
    assert answer.status_code == 200
    rows = answer.json()
    assert [
        (row["paid_on"], row["mode"], row["reference"], row["recorded_by"], row["reversed"])
        for row in rows
    ] == [
        ("2026-07-15", "cheque", "000123", "branch-cashier", True),
        ("2026-08-14", "upi", "UTR2", "branch-cashier", False),
    ]
    assert (rows[0]["reversed_by"], rows[0]["reversal_reason"]) == (
        "head-office",
        "Cheque returned: funds insufficient",
    )
    assert rows[0]["reversed_at"] is not None
    assert rows[1]["reversed_at"] is None
    assert rows[0]["recorded_at"] <= rows[0]["reversed_at"]


def test_the_list_of_a_loan_without_payments_is_empty_and_of_no_loan_404(api, loan):
    assert api.get(f"/loans/{loan.pk}/payments").json() == []
    assert api.get("/loans/999999/payments").json()["error"]["code"] == "loan_not_found"


def test_a_bounced_cheque_puts_the_schedule_back_exactly(api, loan):
    """Before the cheque the schedule is one thing; after the cheque and its reversal it is the
    same, to the paisa, and the loan's counters with it."""
    pay(api, loan, paid_on="2026-07-15", mode="upi", reference="UTR1")
    before = api.get(f"/loans/{loan.pk}/schedule").json()
    # 92,041.74 principal + August's and September's interest (767.01 + 700.14) + 5 of
    # October's 30 days of 632.71.
    assert api.get(f"/loans/{loan.pk}/payoff").json()["total"] == 93614.34
    cheque = pay(api, loan, "10000.00", paid_on="2026-08-15", mode="cheque", reference="000777")
    after_cheque = api.get(f"/loans/{loan.pk}/schedule").json()
    assert [row["status"] for row in after_cheque["installments"][:3]] == [
        "paid",
        "paid",
        "overdue",
    ]
    assert after_cheque["days_past_due"] == 5
    answer = reverse(api, loan, cheque.json()["payment_id"])
    assert answer.status_code == 200
    body = answer.json()
    assert (body["reversed"], body["repayments_left"], body["loan_status"]) == (True, 11, "active")
    assert api.get(f"/loans/{loan.pk}/schedule").json() == before
    assert before["days_past_due"] == 36
    assert before["delinquency_bucket"] == "SMA-1"
    loan.refresh_from_db()
    assert (loan.installments_paid, loan.emis_paid_on_time, loan.status) == (1, 1, "active")
    # The cheque's 1,208.41 beyond installment 2 is gone from the payoff too.
    assert api.get(f"/loans/{loan.pk}/payoff").json()["total"] == 93614.34


def test_reversing_the_payoff_reopens_the_loan(api, loan):
    quote = api.get(f"/loans/{loan.pk}/payoff").json()["total"]
    paid = pay(api, loan, str(quote), mode="rtgs", reference="RTGS9")
    assert paid.json()["loan_status"] == "closed"
    answer = reverse(api, loan, paid.json()["payment_id"], reason="Recalled by the remitter")
    assert (answer.json()["loan_status"], answer.json()["repayments_left"]) == ("active", 12)
    assert Loan.objects.get().status == LoanStatus.ACTIVE
    assert pay(api, loan, EMI).status_code == 201


def test_a_payment_the_payoff_counted_is_reversed_only_after_the_payoff(api, loan):
    first = pay(api, loan, paid_on="2026-07-15").json()["payment_id"]
    quote = api.get(f"/loans/{loan.pk}/payoff").json()["total"]
    payoff = pay(api, loan, str(quote)).json()["payment_id"]
    answer = reverse(api, loan, first)
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "payment_before_payoff"
    assert answer.json()["error"]["message"] == (
        f"Payment {first} was counted by the payoff {payoff} that closed the loan:"
        " reverse that payment first."
    )
    assert reverse(api, loan, payoff).status_code == 200
    assert reverse(api, loan, first).status_code == 200
    loan.refresh_from_db()
    assert (loan.installments_paid, loan.status) == (0, "active")


def test_a_payment_is_reversed_once_and_only_on_its_own_loan(api, loan):
    payment_id = pay(api, loan).json()["payment_id"]
    other = LoanFactory.create()
    assert reverse(api, other, payment_id).json()["error"] == {
        "code": "payment_not_found",
        "message": f"Loan {other.pk} has no payment with id {payment_id}.",
        "fields": {},
    }
    assert reverse(api, loan, payment_id).status_code == 200
    again = reverse(api, loan, payment_id)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "payment_already_reversed")
    assert reverse(api, loan, payment_id + 100).status_code == 404


@pytest.mark.parametrize("reason", ["   ", "Bounced\x00", "x" * 501])
def test_a_reversal_needs_a_reason_of_text(api, loan, reason):
    """Blank, a control character (PostgreSQL refuses a NUL: it would be a 500) or too long."""
    payment_id = pay(api, loan).json()["payment_id"]
    answer = reverse(api, loan, payment_id, reason=reason)
    assert answer.status_code == 400
    assert list(answer.json()["error"]["fields"]) == ["reason"]
    assert Payment.objects.get().reversed_at is None


def test_an_approver_reverses_a_payment_and_an_officer_may_not(api, loan, set_today):
    officer = make_key("branch-cashier", Role.OFFICER)
    payment_id = pay(api, loan, key=officer).json()["payment_id"]
    refused = reverse(api, loan, payment_id, HTTP_X_API_KEY=officer)
    assert refused.status_code == 403
    approver = make_key("branch-checker", Role.APPROVER)
    set_today(date(2026, 9, 20) + timedelta(days=1))
    assert reverse(api, loan, payment_id, HTTP_X_API_KEY=approver).json()["reversed_by"] == (
        "branch-checker"
    )
