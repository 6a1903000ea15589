"""Notes and promises to pay on a loan: written with who and when, listed newest first, each
promise kept, pending or broken by the live payments between its making and its date."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction

from core.auth import Role
from core.tests.test_roles import make_key
from loans.follow_up import customer_follow_ups, last_follow_ups, loan_follow_ups
from loans.models import LoanNote, LoanOrigin, LoanStatus, PaymentPromise
from loans.tests.factories import LoanFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 9, 20)  # LoanFactory's loan: three installments of 8791.59 due by then


@pytest.fixture
def loan(set_today):
    set_today(TODAY)
    return LoanFactory.create()


def note(api, loan, text, **headers):
    return api.post(f"/loans/{loan.pk}/notes", {"text": text}, format="json", **headers)


def promise(api, loan, on, amount, **headers):
    body = {"promised_on": on, "promised_amount": amount}
    return api.post(f"/loans/{loan.pk}/promises", body, format="json", **headers)


def pay(api, loan, amount, paid_on):
    body = {"amount": amount, "paid_on": paid_on}
    assert api.post(f"/loans/{loan.pk}/payments", body, format="json").status_code == 201


def test_a_note_is_kept_with_who_wrote_it_and_listed_newest_first(api, loan):
    key = make_key("desk-7", Role.OFFICER)
    first = note(api, loan, "  Called: salary comes on the 25th. ", HTTP_X_API_KEY=key)
    assert first.status_code == 201
    body = first.json()
    assert (body["loan_id"], body["text"], body["written_by"]) == (
        loan.pk,
        "Called: salary comes on the 25th.",
        "desk-7",
    )
    note(api, loan, "Visited: nobody home.", HTTP_X_API_KEY=key)
    listed = api.get(f"/loans/{loan.pk}/notes", HTTP_X_API_KEY=key).json()
    assert listed["count"] == 2
    assert [row["text"] for row in listed["results"]] == [
        "Visited: nobody home.",
        "Called: salary comes on the 25th.",
    ]
    assert listed["results"][0]["written_at"] >= listed["results"][1]["written_at"]


def test_notes_are_paged(api, loan):
    for number in range(3):
        note(api, loan, f"Call {number}")
    page = api.get(f"/loans/{loan.pk}/notes?page_size=2&page=2").json()
    assert (page["count"], [row["text"] for row in page["results"]]) == (3, ["Call 0"])
    assert page["next"] is None
    assert page["previous"] is not None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 2001}, "text"),
        ({"text": 7}, "text"),
    ],
)
def test_a_bad_note_is_a_400_naming_its_field(api, loan, body, field):
    answer = api.post(f"/loans/{loan.pk}/notes", body, format="json")
    assert answer.status_code == 400
    assert list(answer.json()["error"]["fields"]) == [field]
    assert not LoanNote.objects.exists()


def test_an_unknown_loan_is_404_for_notes_and_promises(api, loan):
    for path in ("/loans/999999/notes", "/loans/999999/promises"):
        assert api.get(path).json()["error"]["code"] == "loan_not_found"
    assert note(api, loan.__class__(pk=999999), "Hello").status_code == 404
    answer = promise(api, loan.__class__(pk=999999), "2026-09-25", "100")
    assert answer.json()["error"]["code"] == "loan_not_found"


def test_a_promise_is_pending_then_kept_by_the_payments_from_its_day(api, loan, set_today):
    made = promise(api, loan, "2026-09-25", "17583.18")
    assert made.status_code == 201
    assert {
        key: made.json()[key]
        for key in ("promised_on", "promised_amount", "made_on", "paid_towards", "state")
    } == {
        "promised_on": "2026-09-25",
        "promised_amount": 17583.18,
        "made_on": "2026-09-20",
        "paid_towards": 0.00,
        "state": "pending",
    }
    pay(api, loan, "8791.59", "2026-09-19")  # the day before: it paid something else
    pay(api, loan, "8791.59", "2026-09-20")
    pay(api, loan, "8791.59", "2026-09-20")
    (row,) = api.get(f"/loans/{loan.pk}/promises").json()["results"]
    assert (row["paid_towards"], row["state"]) == (17583.18, "kept")


def test_a_promise_short_by_a_paisa_at_its_date_is_broken(api, loan, set_today):
    promise(api, loan, "2026-09-22", "8791.60")
    set_today(date(2026, 9, 21))
    pay(api, loan, "8791.59", "2026-09-21")
    assert api.get(f"/loans/{loan.pk}/promises").json()["results"][0]["state"] == "pending"
    set_today(date(2026, 9, 22))
    assert api.get(f"/loans/{loan.pk}/promises").json()["results"][0]["state"] == "pending"
    set_today(date(2026, 9, 23))
    (row,) = api.get(f"/loans/{loan.pk}/promises").json()["results"]
    assert (row["paid_towards"], row["state"]) == (8791.59, "broken")


def test_a_reversed_payment_keeps_no_promise(api, loan, set_today):
    promise(api, loan, "2026-09-20", "8791.59")
    body = {"amount": "8791.59", "mode": "cheque", "reference": "000901"}
    paid = api.post(f"/loans/{loan.pk}/payments", body, format="json").json()
    assert api.get(f"/loans/{loan.pk}/promises").json()["results"][0]["state"] == "kept"
    reversal = {"reason": "Cheque returned"}
    path = f"/loans/{loan.pk}/payments/{paid['payment_id']}/reversal"
    assert api.post(path, reversal, format="json").status_code == 200
    set_today(date(2026, 9, 21))
    (row,) = api.get(f"/loans/{loan.pk}/promises").json()["results"]
    assert (row["paid_towards"], row["state"]) == (0.00, "broken")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"promised_on": "2026-09-25", "promised_amount": "0"}, "promised_amount"),
        ({"promised_on": "2026-09-25", "promised_amount": "-1"}, "promised_amount"),
        ({"promised_on": "2026-09-25", "promised_amount": "1.001"}, "promised_amount"),
        ({"promised_on": "2026-09-25", "promised_amount": "10000000000"}, "promised_amount"),
        ({"promised_on": "2026-02-30", "promised_amount": "100"}, "promised_on"),
        ({"promised_amount": "100"}, "promised_on"),
    ],
)
def test_a_bad_promise_is_a_400_naming_its_field(api, loan, body, field):
    answer = api.post(f"/loans/{loan.pk}/promises", body, format="json")
    assert answer.status_code == 400
    assert list(answer.json()["error"]["fields"]) == [field]
    assert not PaymentPromise.objects.exists()


def test_a_promise_for_a_day_gone_is_refused_409_beside_the_date(api, loan):
    answer = promise(api, loan, "2026-09-19", "100")
    assert answer.status_code == 409
    assert answer.json()["error"]["fields"] == {
        "promised_on": ["Must be today (2026-09-20) or later."]
    }
    assert not PaymentPromise.objects.exists()


def test_a_closed_loan_takes_no_promise(api, loan):
    loan.status = LoanStatus.CLOSED
    loan.save()
    answer = promise(api, loan, "2026-09-25", "100")
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "loan_closed")


def test_a_loan_from_the_history_files_takes_no_promise(api, loan):
    """It is serviced in the source system: no payment recorded here could ever keep one."""
    loan.origin = LoanOrigin.IMPORTED
    loan.save()
    answer = promise(api, loan, "2026-09-25", "100")
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "loan_not_serviced_here")
    assert PaymentPromise.objects.count() == 0


def test_notes_and_promises_together_newest_first_and_the_last_of_each_loan(api, loan):
    other = LoanFactory.create(customer=loan.customer)
    quiet = LoanFactory.create()
    note(api, loan, "First call")
    promise(api, loan, "2026-09-30", "500")
    note(api, other, "Other loan's call")
    timeline = loan_follow_ups(loan.pk, TODAY, limit=10)
    assert [(row.note, row.promise and row.promise.promised_amount) for row in timeline] == [
        ("", 500),
        ("First call", None),
    ]
    assert timeline[0].promise is not None
    assert timeline[0].promise.state == "pending"
    both = customer_follow_ups(loan.customer_id, TODAY, limit=2)
    assert [(row.loan_id, row.note) for row in both] == [
        (other.pk, "Other loan's call"),
        (loan.pk, ""),
    ]
    last = last_follow_ups([loan.pk, other.pk, quiet.pk], TODAY)
    assert sorted(last) == [loan.pk, other.pk]
    assert last[loan.pk].promise is not None
    assert last[other.pk].note == "Other loan's call"


def test_the_last_of_each_loan_takes_two_queries_however_many_loans(
    loan, django_assert_num_queries
):
    loans = [loan, *LoanFactory.create_batch(4)]
    for each in loans:
        LoanNote.objects.create(loan=each, text="Called")
        PaymentPromise.objects.create(
            loan=each, promised_on=TODAY + timedelta(days=3), promised_amount=9, made_on=TODAY
        )
    with django_assert_num_queries(2):
        last = last_follow_ups([each.pk for each in loans], TODAY)
    assert {row.promise is not None for row in last.values()} == {True}


def written(loan):
    """The loan's note and promise as the database holds them."""
    notes = list(LoanNote.objects.filter(loan=loan).values_list("text", "written_by"))
    promises = PaymentPromise.objects.filter(loan=loan)
    return notes, list(promises.values_list("promised_on", "promised_amount"))


@pytest.fixture
def followed_up(api, loan):
    assert note(api, loan, "Called: pays Friday").status_code == 201
    assert promise(api, loan, "2026-09-25", "8791.59").status_code == 201
    return loan


def test_the_database_refuses_to_rewrite_a_note_or_a_promise(followed_up):
    """Whatever code tries it: a correction is a new note, a new promise follows a broken one."""
    before = written(followed_up)
    for rewrite in (
        lambda: LoanNote.objects.update(text="Never called"),
        lambda: PaymentPromise.objects.update(promised_amount=1),
        lambda: PaymentPromise.objects.update(promised_on=TODAY + timedelta(days=60)),
    ):
        with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
            rewrite()
    assert (
        written(followed_up)
        == before
        == (
            [("Called: pays Friday", "")],
            [(date(2026, 9, 25), Decimal("8791.59"))],
        )
    )


@pytest.mark.postgres
def test_the_database_refuses_to_delete_a_note_or_a_promise(followed_up):
    before = written(followed_up)
    for model in (LoanNote, PaymentPromise):
        with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
            model.objects.all().delete()
    assert written(followed_up) == before
