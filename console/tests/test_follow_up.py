"""Notes and promises in the console: the loan page's Add note and Record promise (once per
rendered form, errors beside the fields), listed newest first with who and when; the
customer's page and the collections worklist show them too."""

from datetime import date

import pytest

from console.tests.conftest import form_key
from loans.models import LoanNote, LoanStatus, PaymentPromise
from loans.tests.factories import LoanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan():
    """1,00,000 at 10% for 12 months from 2026-03-15: on 2026-06-15, three installments due."""
    return LoanFactory.create(start_date=date(2026, 3, 15))


def test_a_note_and_a_promise_are_written_and_listed_newest_first(officer, loan):
    page = officer.get(f"/console/loans/{loan.pk}/").content.decode()
    assert '<label for="id_text">Note</label>' in page
    assert '<label for="id_promised_on">Promised date</label>' in page
    assert '<label for="id_promised_amount">Promised amount</label>' in page
    note = {"text": "Called: pays on Friday", "form_key": form_key()}
    assert officer.post(f"/console/loans/{loan.pk}/notes/", note).status_code == 303
    promise = {"promised_on": "2026-06-19", "promised_amount": "8791.59", "form_key": form_key()}
    answer = officer.post(f"/console/loans/{loan.pk}/promises/", promise)
    assert answer.status_code == 303
    page = officer.get(answer["Location"]).content.decode()
    assert "Promise of ₹\u00a08,791.59 by 19 Jun 2026 recorded." in page
    promised = page.index(
        '<span class="badge pending">pending</span> Promise: ₹\xa08,791.59 by 19 Jun 2026'
    )
    assert promised < page.index("Called: pays on Friday")
    assert page.count('<div class="muted small-print">asha, ') == 2
    saved = PaymentPromise.objects.get()
    assert (saved.made_on, saved.made_by, LoanNote.objects.get().written_by) == (
        date(2026, 6, 15),
        "asha",
        "asha",
    )


def test_the_same_note_sent_twice_is_written_once(officer, loan):
    note = {"text": "Visited", "form_key": form_key()}
    officer.post(f"/console/loans/{loan.pk}/notes/", note)
    officer.post(f"/console/loans/{loan.pk}/notes/", note)
    assert LoanNote.objects.count() == 1


@pytest.mark.parametrize(
    ("sent", "field", "message"),
    [
        (
            {"promised_on": "2026-06-14", "promised_amount": "100"},
            "promised_on",
            "Must be today (15 Jun 2026) or later.",
        ),
        (
            {"promised_on": "2026-06-20", "promised_amount": "0"},
            "promised_amount",
            "greater than 0",
        ),
        ({"promised_on": "", "promised_amount": "100"}, "promised_on", "required"),
    ],
)
def test_a_refused_promise_says_why_beside_the_field(officer, loan, sent, field, message):
    answer = officer.post(f"/console/loans/{loan.pk}/promises/", {**sent, "form_key": form_key()})
    assert answer.status_code == 400
    page = answer.content.decode()
    errors = page[page.index(f'id="id_{field}-errors"') :]
    assert message in errors[: errors.index("</ul>")]
    assert not PaymentPromise.objects.exists()


def test_a_blank_note_is_refused_beside_the_field(officer, loan):
    answer = officer.post(
        f"/console/loans/{loan.pk}/notes/", {"text": "  ", "form_key": form_key()}
    )
    assert answer.status_code == 400
    assert 'id="id_text-errors"' in answer.content.decode()


def test_a_closed_loan_offers_no_promise_form(officer, loan):
    loan.status = LoanStatus.CLOSED
    loan.save()
    page = officer.get(f"/console/loans/{loan.pk}/").content.decode()
    assert "A closed loan takes no promise to pay." in page
    assert "Record promise" not in page


def test_collections_show_each_loans_last_note_or_promise(officer, loan):
    quiet = LoanFactory.create(start_date=date(2026, 3, 15))
    LoanNote.objects.create(loan=loan, text="Old call")
    PaymentPromise.objects.create(
        loan=loan, promised_on=date(2026, 6, 10), promised_amount=500, made_on=date(2026, 6, 1)
    )
    page = officer.get("/console/collections/").content.decode()
    assert "<th>Last note or promise</th>" in page
    assert '<span class="badge broken">broken</span> Promise: ₹\xa0500.00 by 10 Jun 2026' in page
    assert "Old call" not in page
    row = page[page.index(f"Loan {quiet.pk}</a>") :]
    assert '<td class="last-contact"><span class="muted">—</span></td>' in row[: row.index("</tr>")]


def test_the_customer_page_lists_the_notes_of_their_loans(officer, loan):
    other = LoanFactory.create(customer=loan.customer)
    LoanNote.objects.create(loan=loan, text="First call")
    LoanNote.objects.create(loan=other, text="Second loan's call")
    page = officer.get(f"/console/customers/{loan.customer_id}/").content.decode()
    newest = page.index(f'<a href="/console/loans/{other.pk}/">Loan {other.pk}</a>: Second')
    assert newest < page.index(f'<a href="/console/loans/{loan.pk}/">Loan {loan.pk}</a>: First')
