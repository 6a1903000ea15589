"""Customers in the console: the search, registering one (errors beside the fields, a double
submission registers once), and a customer's page with its bars, score, loans and decisions."""

from datetime import date
from decimal import Decimal

import pytest

from console.tests.conftest import form_key
from credit.policy import LoanRequest
from customers.models import Customer
from customers.tests.factories import CustomerFactory
from decisions.services import check_eligibility
from loans.tests.factories import LoanFactory
from policies.services import activate, create_draft

pytestmark = pytest.mark.django_db


def registration(**changes):
    values = {
        "first_name": "Asha",
        "last_name": "Rao",
        "age": "30",
        "monthly_income": "50000",
        "phone_number": "9876543210",
        "form_key": form_key(),
    }
    return {**values, **changes}


def test_the_search_box_is_labelled_and_finds_by_name_phone_or_id(officer):
    rao = CustomerFactory.create(first_name="Asha", last_name="Rao", phone_number=9876543210)
    CustomerFactory.create(first_name="Ravi", last_name="Iyer")
    page = officer.get("/console/customers/").content.decode()
    assert '<label for="id_q">Search customers</label>' in page
    for query in ("asha", "Rao Asha", "9876543210", str(rao.pk)):
        found = officer.get("/console/customers/", {"q": query}).content.decode()
        assert f'<a href="/console/customers/{rao.pk}/">Asha Rao</a>' in found, query
        assert "Ravi Iyer" not in found, query
    assert (
        "No customer matches “nobody”."
        in officer.get("/console/customers/?q=nobody").content.decode()
    )


def test_the_results_are_paginated_25_a_page(officer):
    CustomerFactory.create_batch(30)
    first = officer.get("/console/customers/").content.decode()
    second = officer.get("/console/customers/?page=2").content.decode()
    assert "1–25 of 30" in first
    assert "26–30 of 30" in second
    assert first.count('<td class="num"><a href="/console/customers/') == 25


def test_htmx_gets_only_the_results(officer):
    CustomerFactory.create(first_name="Asha")
    fragment = officer.get(
        "/console/customers/?q=Asha", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    assert fragment.content.decode().lstrip().startswith('<div class="table-wrap">')


def test_registering_opens_the_new_customer(officer):
    answer = officer.post("/console/customers/register/", registration())
    customer = Customer.objects.get(phone_number=9876543210)
    assert (answer.status_code, answer["Location"]) == (303, f"/console/customers/{customer.pk}/")
    assert (customer.name, customer.approved_limit) == ("Asha Rao", Decimal("1800000.00"))
    page = officer.get(answer["Location"]).content.decode()
    assert f"Asha Rao is registered as customer {customer.pk}." in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("age", "17", "Ensure this value is greater than or equal to 18."),
        ("age", "thirty", "A valid integer is required."),
        ("monthly_income", "", "This field is required."),
        ("phone_number", "12345", "Must be a 10-digit number."),
        ("first_name", "A\tB", "Must not contain control characters."),
    ],
)
def test_each_bad_field_is_named_beside_it(officer, field, value, message):
    answer = officer.post("/console/customers/register/", registration(**{field: value}))
    page = answer.content.decode()
    assert answer.status_code == 400
    assert f'<ul class="errorlist" id="id_{field}-errors"><li>{message}</li></ul>' in page
    assert Customer.objects.count() == 0


def test_a_taken_phone_number_is_said_beside_the_phone_field(officer):
    CustomerFactory.create(phone_number=9876543210)
    page = officer.post("/console/customers/register/", registration()).content.decode()
    assert (
        '<ul class="errorlist" id="id_phone_number-errors">'
        "<li>This phone number is already registered.</li></ul>"
    ) in page


def test_the_same_form_sent_twice_registers_once(officer):
    sent = registration()
    first = officer.post("/console/customers/register/", sent)
    again = officer.post("/console/customers/register/", sent)
    assert Customer.objects.count() == 1
    assert again.status_code == 303
    assert again["Location"] == first["Location"]


def test_the_same_key_with_other_values_is_refused(officer):
    sent = registration()
    officer.post("/console/customers/register/", sent)
    other = officer.post("/console/customers/register/", {**sent, "phone_number": "9876543211"})
    assert other.status_code == 400
    assert (
        "This form was already sent with other values: reload the page." in other.content.decode()
    )
    assert Customer.objects.count() == 1


def test_the_customer_page_shows_limits_score_loans_and_decisions(officer):
    customer = CustomerFactory.create(
        monthly_salary=Decimal(100000), approved_limit=Decimal(3600000)
    )
    loan = LoanFactory.create(customer=customer, start_date=date(2026, 3, 15))  # 3 due, none paid
    check_eligibility(
        customer.pk, LoanRequest(Decimal(100000), Decimal(10), 12), as_of=date(2026, 6, 15),
        requested_by="asha",
    )  # fmt: skip
    page = officer.get(f"/console/customers/{customer.pk}/").content.decode()
    assert (
        'aria-label="Approved limit used by current loans: 1,00,000.00 of 36,00,000.00 (2.8%)."'
        in page
    )
    assert (
        'aria-label="Current installments against the share of salary they may take: '
        '8,791.59 of 50,000.00 (17.6%)."'
    ) in page
    assert "Installments may take 50% of the monthly salary under policy version 1." in page
    # No installment paid of 3 due: 0 on time; one current loan, 0 completed, started this year.
    assert (
        'aria-label="Credit score 33: points per factor, out of its weight: Repayment on time 0.00 '
        "of 35.00, Loans taken 0.00 of 25.00, Current-year activity 18.75 of 25.00, "
        'Approved volume 14.58 of 15.00."'
    ) in page
    assert f'<a href="/console/loans/{loan.pk}/">{loan.pk}</a>' in page
    assert '<td class="num">61</td>' in page  # days past due: no. 1 fell due on 15 April
    assert '<span class="badge SMA-2">SMA-2</span>' in page
    assert "<td>asha</td>" in page


def test_the_installments_bar_reads_the_active_policys_share(officer, staff):
    customer = CustomerFactory.create(monthly_salary=Decimal(100000))
    draft = create_draft(changes={"max_emi_share_of_salary": "0.4"}, based_on=None, created_by="r")
    activate(draft.version, activated_by="r")
    page = officer.get(f"/console/customers/{customer.pk}/").content.decode()
    assert "0.00 of 40,000.00 (0.0%)." in page
    assert (
        f"Installments may take 40% of the monthly salary under policy version {draft.version}."
        in page
    )


@pytest.mark.parametrize("typed", ["+91 98765 43210", "98765-43210", "+91-98765-43210"])
def test_a_phone_number_as_people_type_it_is_registered_as_its_digits(officer, typed):
    answer = officer.post("/console/customers/register/", registration(phone_number=typed))
    assert answer.status_code == 303
    assert Customer.objects.get().phone_number == 9876543210


def test_a_taken_phone_number_links_to_the_customer_who_has_it(officer):
    rao = CustomerFactory.create(first_name="Asha", last_name="Rao", phone_number=9876543210)
    page = officer.post(
        "/console/customers/register/", registration(phone_number="+91 98765 43210")
    ).content.decode()
    assert (
        f'That phone number is Asha Rao’s: <a href="/console/customers/{rao.pk}/">'
        f"open customer {rao.pk}</a>."
    ) in page


def test_a_refused_registration_for_another_reason_links_to_no_one(officer):
    CustomerFactory.create(phone_number=9876543210)
    page = officer.post("/console/customers/register/", registration(age="17")).content.decode()
    assert 'id="duplicate"' not in page


@pytest.mark.parametrize(
    ("query", "finds"),
    [
        ("43210", ["Asha Rao"]),  # the end of a phone number
        ("98765", ["Asha Rao"]),  # its start
        ("+91 98765 43210", ["Asha Rao"]),
        ("987-654", ["Asha Rao"]),
        ("ash", ["Asha Rao"]),  # a part of a name
        ("sha ra", ["Asha Rao"]),
        ("iye", ["Ravi Iyer"]),
        ("Rao 9123", []),  # every word must match
        ("987", []),  # three digits are an id, not a part of a phone
        ("3 45", ["Ravi Iyer"]),  # typed in groups, digits are a phone's: 345, of any length
    ],
)
def test_the_search_matches_any_part_of_a_phone_or_a_name(officer, query, finds):
    CustomerFactory.create(first_name="Asha", last_name="Rao", phone_number=9876543210)
    CustomerFactory.create(first_name="Ravi", last_name="Iyer", phone_number=9123456789)
    page = officer.get("/console/customers/", {"q": query}).content.decode()
    shown = [name for name in ("Asha Rao", "Ravi Iyer") if f">{name}</a>" in page]
    assert shown == finds


def test_the_search_finds_a_customer_by_a_loan_number(officer):
    rao = CustomerFactory.create(first_name="Asha", last_name="Rao", phone_number=9876543210)
    iyer = CustomerFactory.create(first_name="Ravi", last_name="Iyer", phone_number=9123456789)
    loan = LoanFactory.create(customer=iyer, pk=7777)
    page = officer.get("/console/customers/", {"q": str(loan.pk)}).content.decode()
    assert f'<a href="/console/customers/{iyer.pk}/">Ravi Iyer</a>' in page
    assert f'<a href="/console/customers/{rao.pk}/">' not in page


def test_the_search_box_is_focused_on_arrival(officer):
    page = officer.get("/console/customers/").content.decode()
    assert 'name="q"' in page
    assert "autofocus" in page.split('name="q"', 1)[1].split(">", 1)[0]
