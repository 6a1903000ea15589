"""A loan in the console: terms and standing, the schedule, payments (once per rendered form,
errors beside the fields), the payoff quote for a chosen day."""

from datetime import date

import pytest

from console.tests.conftest import form_key
from loans.models import LoanOrigin, LoanStatus, Payment
from loans.tests.factories import LoanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan():
    """1,00,000 at 10% for 12 months from 2026-03-15 (EMI 8791.59): on 2026-06-15, three due."""
    return LoanFactory.create(start_date=date(2026, 3, 15))


def payment(amount="8791.59", paid_on="", key=None):
    return {"amount": amount, "paid_on": paid_on, "form_key": key or form_key()}


def test_the_loan_page_shows_terms_standing_and_schedule(officer, loan):
    page = officer.get(f"/console/loans/{loan.pk}/").content.decode()
    assert '<div class="value">1,00,000.00</div><div class="hint">at 10.00% a year</div>' in page
    assert '<div class="value">61</div><div class="hint">bucket SMA-2</div>' in page
    # Due 15 April and 15 May: overdue; 15 June, today: due.
    assert page.count('<span class="badge overdue">overdue</span>') == 2
    assert page.count('<span class="badge due">due</span>') == 1
    assert page.count('<span class="badge upcoming">upcoming</span>') == 9
    assert '<label for="id_amount">Amount</label>' in page
    assert '<label for="id_paid_on">Paid on</label>' in page
    assert '<button type="submit">Record payment</button>' in page


def test_a_payment_is_recorded_and_settles_the_oldest_installment(officer, loan):
    answer = officer.post(f"/console/loans/{loan.pk}/payments/", payment(paid_on="2026-04-10"))
    assert (answer.status_code, answer["Location"]) == (303, f"/console/loans/{loan.pk}/")
    loan.refresh_from_db()
    assert (loan.installments_paid, loan.emis_paid_on_time) == (1, 1)
    page = officer.get(answer["Location"]).content.decode()
    assert "Payment of ₹ 8,791.59 recorded." in page
    assert (
        '<tr><td>10 Apr 2026</td><td class="num">8,791.59</td><td>—</td><td>asha</td></tr>' in page
    )
    assert Payment.objects.get().recorded_by == "asha"


def test_paid_on_defaults_to_today(officer, loan):
    officer.post(f"/console/loans/{loan.pk}/payments/", payment())
    assert Payment.objects.get().paid_on == date(2026, 6, 15)


@pytest.mark.parametrize(
    ("field", "values", "message"),
    [
        ("amount", {"amount": "0"}, "Must be greater than 0."),
        ("amount", {"amount": "99999999"}, "Exceeds the payoff amount (102300.48) on 2026-06-15."),
        ("paid_on", {"paid_on": "2026-06-16"}, "Must not be in the future."),
        (
            "paid_on",
            {"paid_on": "2026-02-01"},
            "Must not be before the loan&#x27;s start (2026-03-15).",
        ),
        (
            "paid_on",
            {"paid_on": "15/06/2026"},
            "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
        ),
    ],
)
def test_a_refused_payment_says_why_beside_the_field(officer, loan, field, values, message):
    answer = officer.post(f"/console/loans/{loan.pk}/payments/", {**payment(), **values})
    assert answer.status_code == 400
    assert f'id="id_{field}-errors"><li>{message}</li>' in answer.content.decode()
    assert Payment.objects.count() == 0


def test_the_same_payment_form_sent_twice_records_one_payment(officer, loan):
    sent = payment()
    officer.post(f"/console/loans/{loan.pk}/payments/", sent)
    again = officer.post(f"/console/loans/{loan.pk}/payments/", sent)
    assert again.status_code == 303
    assert Payment.objects.count() == 1


def test_imported_and_closed_loans_take_no_payment_form(officer):
    imported = LoanFactory.create(origin=LoanOrigin.IMPORTED, start_date=date(2026, 1, 10))
    closed = LoanFactory.create(status=LoanStatus.CLOSED)
    assert (
        "its payments are kept in the lender's source system"
        in officer.get(f"/console/loans/{imported.pk}/").content.decode()
    )
    assert (
        "This loan is closed and takes no more payments."
        in officer.get(f"/console/loans/{closed.pk}/").content.decode()
    )
    refused = officer.post(f"/console/loans/{closed.pk}/payments/", payment())
    assert refused.status_code == 400
    assert f"Loan {closed.pk} is closed and takes no more payments." in refused.content.decode()


def test_the_payoff_quote_for_a_chosen_day(officer, loan):
    quote = officer.get(f"/console/loans/{loan.pk}/payoff/", {"on": "2026-03-30"})
    page = quote.content.decode()
    assert quote.status_code == 200
    assert "<dt>On</dt><dd>30 Mar 2026</dd>" in page
    assert "<dd><strong>₹ 1,00,403.22</strong></dd>" in page
    before = officer.get(f"/console/loans/{loan.pk}/payoff/", {"on": "2026-03-01"})
    assert before.status_code == 400
    assert "Must not be before the loan&#x27;s start (2026-03-15)." in before.content.decode()


def test_the_quote_is_a_fragment_for_htmx_and_the_whole_page_without_script(officer, loan):
    """The form works with scripts off: a plain submission gets the loan page with the quote."""
    asked = {"on": "2026-03-30"}
    fragment = officer.get(f"/console/loans/{loan.pk}/payoff/", asked, HTTP_HX_REQUEST="true")
    whole = officer.get(f"/console/loans/{loan.pk}/payoff/", asked)
    for answer in (fragment, whole):
        assert "<dd><strong>₹ 1,00,403.22</strong></dd>" in answer.content.decode()
    assert "<html" not in fragment.content.decode()
    assert "Record a payment" not in fragment.content.decode()
    assert "<html" in whole.content.decode()
    assert "Record a payment" in whole.content.decode()


def test_an_unknown_loan_is_the_404_page(officer):
    answer = officer.get("/console/loans/987654/")
    assert answer.status_code == 404
    assert "No loan with id 987654." in answer.content.decode()
