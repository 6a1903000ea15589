"""The papers in the console: the sanction letter (with the decision that booked the loan, or
saying there is none), the statement and the schedule, each a printable page of its own."""

from datetime import date
from decimal import Decimal

import pytest

from customers.tests.factories import CustomerFactory
from decisions.models import CreditDecision
from loans.models import Loan, LoanOrigin
from loans.services import record_payment, reverse_payment
from loans.tests.factories import LoanFactory

pytestmark = pytest.mark.django_db


def paper(officer, path):
    answer = officer.get(path)
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "papers.css" in page
    assert 'class="sidebar"' not in page
    assert "<form" not in page
    assert '<span class="lender">Credit Service</span>' in page
    return page


def test_the_sanction_letter_cites_the_decision_that_booked_the_loan(officer, api):
    customer = CustomerFactory.create(
        monthly_salary=Decimal(100000), approved_limit=Decimal(1000000)
    )
    application = {"customer_id": customer.pk, "loan_amount": 100000, "interest_rate": 14}
    assert api.post("/create-loan", {**application, "tenure": 12}, format="json").status_code == 201
    loan, decision = Loan.objects.get(), CreditDecision.objects.get()
    page = paper(officer, f"/console/loans/{loan.pk}/sanction-letter/")
    assert f"<h1>Sanction letter: loan {loan.pk}</h1>" in page
    assert "<dt>Loan amount</dt><dd>₹\xa01,00,000.00</dd>" in page
    assert f"<dt>Monthly installment</dt><dd>₹\xa0{loan.monthly_installment:,}</dd>" in page
    assert "<dt>Installments</dt><dd>12, monthly</dd>" in page
    assert "<dt>First due</dt><dd>15 Jul 2026</dd>" in page
    assert f"<dt>Decision</dt><dd>{decision.pk}, 15 Jun 2026</dd>" in page
    assert f"<dt>Policy version</dt><dd>{decision.policy_version_id}</dd>" in page


def test_a_loan_from_the_history_files_has_a_letter_that_says_it_has_no_decision(officer):
    loan = LoanFactory.create(origin=LoanOrigin.IMPORTED, source_loan_id=7)
    page = paper(officer, f"/console/loans/{loan.pk}/sanction-letter/")
    assert "no decision or policy version can be cited" in page
    statement = paper(officer, f"/console/loans/{loan.pk}/statement/")
    assert "its payments are kept in the lender's source system" in statement


def test_the_statement_writes_each_line_and_its_balance(officer, set_today):
    set_today(date(2026, 8, 20))
    loan = LoanFactory.create()
    record_payment(
        loan.pk, Decimal("5000.00"), date(2026, 7, 20), as_of=date(2026, 8, 20), recorded_by="t"
    )
    page = paper(officer, f"/console/loans/{loan.pk}/statement/")
    rows = [
        '<td class="nowrap">15 Jul 2026</td><td>Installment 1 due</td><td class="num">8,791.59'
        '</td><td class="num"></td><td class="num">8,791.59</td>',
        '<td class="nowrap">20 Jul 2026</td><td>Payment',
        '<td class="num"></td><td class="num">5,000.00</td><td class="num">3,791.59</td>',
        '<td class="nowrap">15 Aug 2026</td><td>Installment 2 due</td><td class="num">8,791.59'
        '</td><td class="num"></td><td class="num">12,583.18</td>',
    ]
    positions = [page.index(row) for row in rows]
    assert positions == sorted(positions)
    assert "<dt>Balance due</dt><dd>₹\xa012,583.18</dd>" in page
    assert "<dt>Installments to come</dt><dd>10</dd>" in page


def test_the_schedule_lists_every_installment(officer):
    loan = LoanFactory.create()
    page = paper(officer, f"/console/loans/{loan.pk}/schedule/")
    assert page.count('<tr><td class="num">') == 12
    assert '<td class="nowrap">15 Jun 2027</td><td class="num">8,791.56</td>' in page


def test_the_schedule_paper_shows_the_loan_pages_schedule(
    officer, set_today, django_assert_num_queries
):
    """Part payments, and a reversed one that counts for nothing: the paper's rows are the
    loan page's, and it reads the loan and its payments once (after the session's 3)."""
    set_today(date(2026, 9, 20))
    loan = LoanFactory.create()
    for amount, paid_on in (("8791.59", date(2026, 7, 15)), ("5000.00", date(2026, 8, 20))):
        record_payment(loan.pk, Decimal(amount), paid_on, as_of=date(2026, 9, 20), recorded_by="t")
    bounced = record_payment(
        loan.pk, Decimal("9000.00"), date(2026, 9, 1), as_of=date(2026, 9, 20), recorded_by="t"
    )
    reverse_payment(loan.pk, bounced.pk, reason="Cheque returned", reversed_by="t")
    officer.get("/console/")  # the session's first request writes it
    with django_assert_num_queries(5):
        on_paper = officer.get(f"/console/loans/{loan.pk}/schedule/")
    on_the_page = officer.get(f"/console/loans/{loan.pk}/")
    for shown in ("loan", "schedule"):
        assert on_paper.context[shown] == on_the_page.context[shown]
    rows = on_paper.context["schedule"].installments
    assert [(row.number, row.status, row.paid_on) for row in rows[:4]] == [
        (1, "paid", date(2026, 7, 15)),
        (2, "overdue", None),
        (3, "overdue", None),
        (4, "upcoming", None),
    ]
    assert on_paper.context["schedule"].days_past_due == 36


def test_the_loan_page_links_its_papers(officer):
    loan = LoanFactory.create()
    page = officer.get(f"/console/loans/{loan.pk}/").content.decode()
    for name, path in (
        ("Sanction letter", "sanction-letter"),
        ("Statement", "statement"),
        ("Schedule", "schedule"),
    ):
        assert f'<a href="/console/loans/{loan.pk}/{path}/">{name}</a>' in page


def test_an_unknown_loans_papers_are_the_404_page(officer):
    for path in ("sanction-letter", "statement", "schedule"):
        assert officer.get(f"/console/loans/999999/{path}/").status_code == 404
