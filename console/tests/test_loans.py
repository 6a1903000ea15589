"""A loan in the console: terms and standing, the schedule, payments (once per rendered form,
errors beside the fields), the payoff quote for a chosen day."""

from datetime import date

import pytest

from console.tests.conftest import form_key
from core.auth import Role
from loans.models import LoanOrigin, LoanStatus, Payment
from loans.tests.factories import LoanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan():
    """1,00,000 at 10% for 12 months from 2026-03-15 (EMI 8791.59): on 2026-06-15, three due."""
    return LoanFactory.create(start_date=date(2026, 3, 15))


def payment(amount="8791.59", paid_on="", key=None, mode="", reference=""):
    return {
        "amount": amount,
        "paid_on": paid_on,
        "mode": mode,
        "reference": reference,
        "form_key": key or form_key(),
    }


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
    assert 'name="paid_on" value="2026-06-15"' in page  # today, already filled in
    assert '<label for="id_mode">Mode</label>' in page
    assert '<option value="upi">UPI</option>' in page
    assert '<label for="id_reference">Reference</label>' in page
    assert '<button type="submit">Record payment</button>' in page


def test_a_payment_is_recorded_and_settles_the_oldest_installment(officer, loan):
    answer = officer.post(f"/console/loans/{loan.pk}/payments/", payment(paid_on="2026-04-10"))
    assert (answer.status_code, answer["Location"]) == (303, f"/console/loans/{loan.pk}/")
    loan.refresh_from_db()
    assert (loan.installments_paid, loan.emis_paid_on_time) == (1, 1)
    page = officer.get(answer["Location"]).content.decode()
    assert "Payment of ₹\u00a08,791.59 recorded." in page
    receipt = f'<a href="/console/loans/{loan.pk}/payments/{Payment.objects.get().pk}/receipt/">'
    assert (
        '<tr><td>10 Apr 2026</td><td class="num">8,791.59</td><td>—</td><td>—</td><td>asha</td>'
        f"<td>{receipt}Receipt</a></td></tr>"
    ) in page
    assert "<th>Recorded by</th>" in page
    assert Payment.objects.get().recorded_by == "asha"


def test_paid_on_defaults_to_today(officer, loan):
    officer.post(f"/console/loans/{loan.pk}/payments/", payment())
    assert Payment.objects.get().paid_on == date(2026, 6, 15)


@pytest.mark.parametrize(
    ("field", "values", "message"),
    [
        ("amount", {"amount": "0"}, "Must be greater than 0."),
        (
            "amount",
            {"amount": "99999999"},
            "Exceeds the payoff amount (₹\u00a01,02,300.48) on 15 Jun 2026.",
        ),
        ("paid_on", {"paid_on": "2026-06-16"}, "Must not be in the future."),
        (
            "paid_on",
            {"paid_on": "2026-02-01"},
            "Must not be before the loan&#x27;s start (15 Mar 2026).",
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
    assert "Must not be before the loan&#x27;s start (15 Mar 2026)." in before.content.decode()


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


def test_a_upi_payment_keeps_mode_and_reference_and_its_receipt_says_so(officer, loan):
    sent = payment(paid_on="2026-04-10", mode="upi", reference="utr-4123")
    answer = officer.post(f"/console/loans/{loan.pk}/payments/", sent)
    assert answer.status_code == 303
    paid = Payment.objects.get()
    assert (paid.mode, paid.reference) == ("upi", "UTR-4123")
    page = officer.get(answer["Location"]).content.decode()
    assert "<td>UPI</td><td>UTR-4123</td><td>asha</td>" in page
    receipt = officer.get(f"/console/loans/{loan.pk}/payments/{paid.pk}/receipt/")
    paper = receipt.content.decode()
    assert receipt.status_code == 200
    assert f"<h1>Receipt {paid.pk}</h1>" in paper
    assert '<span class="lender">Credit Service</span>' in paper
    assert "<dt>Amount</dt><dd>₹ 8,791.59</dd>" in paper
    assert "<dt>Paid on</dt><dd>10 Apr 2026</dd>" in paper
    assert "<dt>Mode</dt><dd>UPI</dd>" in paper
    assert "<dt>Reference</dt><dd>UTR-4123</dd>" in paper
    assert "<dt>Installments left today</dt><dd>11 of 12</dd>" in paper
    assert "papers.css" in paper
    assert 'class="sidebar"' not in paper
    assert "<form" not in paper


def test_a_receipt_of_another_loans_payment_is_the_404_page(officer, loan):
    officer.post(f"/console/loans/{loan.pk}/payments/", payment())
    other = LoanFactory.create()
    paid = Payment.objects.get()
    answer = officer.get(f"/console/loans/{other.pk}/payments/{paid.pk}/receipt/")
    assert answer.status_code == 404
    assert f"Loan {other.pk} has no payment with id {paid.pk}." in answer.content.decode()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"mode": "neft"}, "Required for a neft payment."),
        ({"reference": "UTR1"}, "Give the mode this reference belongs to."),
    ],
)
def test_a_reference_that_does_not_fit_the_mode_is_refused_beside_it(
    officer, loan, values, message
):
    answer = officer.post(f"/console/loans/{loan.pk}/payments/", payment(**values))
    assert answer.status_code == 400
    assert f'id="id_reference-errors"><li>{message}</li>' in answer.content.decode()
    assert Payment.objects.count() == 0


def test_a_utr_already_recorded_is_refused_beside_the_reference(officer, loan):
    officer.post(f"/console/loans/{loan.pk}/payments/", payment(mode="imps", reference="I9"))
    answer = officer.post(
        f"/console/loans/{loan.pk}/payments/", payment(mode="imps", reference="I9")
    )
    assert answer.status_code == 400
    assert (
        'id="id_reference-errors"><li>A imps payment with reference I9 is already recorded.</li>'
    ) in answer.content.decode()
    assert Payment.objects.count() == 1


def test_an_admin_reverses_a_bounced_cheque_and_the_schedule_comes_back(signed_in, loan):
    admin = signed_in(Role.ADMIN, name="meera")
    admin.post(f"/console/loans/{loan.pk}/payments/", payment(mode="cheque", reference="000451"))
    paid = Payment.objects.get()
    page = admin.get(f"/console/loans/{loan.pk}/").content.decode()
    assert page.count('<span class="badge paid">paid</span>') == 1
    assert f"<summary>Reverse payment {paid.pk}</summary>" in page
    refused = admin.post(
        f"/console/loans/{loan.pk}/payments/{paid.pk}/reversal/",
        {"reason": " ", "form_key": form_key()},
    )
    assert refused.status_code == 400
    assert "<details open>" in refused.content.decode()
    answer = admin.post(
        f"/console/loans/{loan.pk}/payments/{paid.pk}/reversal/",
        {"reason": "Cheque returned unpaid", "form_key": form_key()},
    )
    assert (answer.status_code, answer["Location"]) == (303, f"/console/loans/{loan.pk}/")
    page = admin.get(answer["Location"]).content.decode()
    assert f"Payment {paid.pk} reversed; the schedule is restored." in page
    assert '<span class="badge reversed">reversed</span>' in page
    assert "by meera: Cheque returned unpaid</td>" in page
    assert page.count('<span class="badge paid">paid</span>') == 0
    assert page.count('<span class="badge overdue">overdue</span>') == 2
    loan.refresh_from_db()
    assert (loan.installments_paid, loan.emis_paid_on_time) == (0, 0)


def test_an_officer_gets_no_reversal_form_and_may_not_post_one(officer, loan):
    officer.post(f"/console/loans/{loan.pk}/payments/", payment())
    paid = Payment.objects.get()
    assert "Reverse payment" not in officer.get(f"/console/loans/{loan.pk}/").content.decode()
    answer = officer.post(
        f"/console/loans/{loan.pk}/payments/{paid.pk}/reversal/",
        {"reason": "bounced", "form_key": form_key()},
    )
    assert answer.status_code == 403
    assert Payment.objects.get().reversed_at is None


def test_a_closed_loan_shows_the_bucket_closed(officer):
    closed = LoanFactory.create(status=LoanStatus.CLOSED)
    page = officer.get(f"/console/loans/{closed.pk}/").content.decode()
    assert '<span class="badge large closed">closed</span></div>' in page
    assert '<div class="hint">bucket closed</div>' in page
    customer = officer.get(f"/console/customers/{closed.customer_id}/").content.decode()
    assert '<td><span class="badge closed">closed</span></td>' in customer


def test_customer_since_is_their_first_loans_start_when_it_is_earlier(officer):
    old = LoanFactory.create(
        origin=LoanOrigin.IMPORTED, start_date=date(2012, 3, 4), end_date=date(2013, 3, 4)
    )
    page = officer.get(f"/console/customers/{old.customer_id}/").content.decode()
    assert "<dt>Customer since</dt><dd>04 Mar 2012</dd>" in page
