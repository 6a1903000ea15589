"""The audit trail in the console: filters, a decision's page with what it was made from, and its
replay for the risk role."""

from datetime import date
from decimal import Decimal

import pytest

from core.auth import Role
from credit.policy import LoanRequest
from customers.tests.factories import CustomerFactory
from decisions.models import CreditDecision
from decisions.services import check_eligibility, create_loan
from policies.services import create_draft

pytestmark = pytest.mark.django_db

SMALL = LoanRequest(Decimal(100000), Decimal(12), 12)
LARGE = LoanRequest(Decimal(9000000), Decimal(12), 12)


@pytest.fixture
def trail():
    """Four decisions: two customers, both kinds, approved and refused, on two days."""
    first, second = CustomerFactory.create(), CustomerFactory.create()
    made = [
        check_eligibility(first.pk, SMALL, as_of=date(2026, 6, 1), requested_by="asha"),
        check_eligibility(first.pk, LARGE, as_of=date(2026, 6, 10), requested_by="asha"),
        create_loan(second.pk, SMALL, as_of=date(2026, 6, 15), requested_by="ravi"),
        create_loan(second.pk, LARGE, as_of=date(2026, 6, 15), requested_by="ravi"),
    ]
    return first, second, [recorded.decision_id for recorded in made]


def listed(page: str) -> list[int]:
    ids = []
    for part in page.split('<a href="/console/decisions/')[1:]:
        head = part.split("/", 1)[0]
        if head.isdigit():
            ids.append(int(head))
    return ids


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, [3, 2, 1, 0]),
        ({"customer": "FIRST"}, [1, 0]),
        ({"kind": "create_loan"}, [3, 2]),
        ({"outcome": "refused"}, [3, 1]),
        ({"outcome": "approved", "kind": "check_eligibility"}, [0]),
        ({"since": "2026-06-10"}, [3, 2, 1]),
        ({"since": "2026-06-02", "until": "2026-06-14"}, [1]),
    ],
)
def test_the_list_filters_by_customer_kind_outcome_and_date(officer, trail, query, expected):
    first, _, ids = trail
    query = {k: (str(first.pk) if v == "FIRST" else v) for k, v in query.items()}
    page = officer.get("/console/decisions/", query).content.decode()
    assert listed(page) == [ids[index] for index in expected]


def test_a_filter_that_makes_no_sense_is_named_beside_its_field(officer, trail):
    answer = officer.get("/console/decisions/", {"since": "2026-06-10", "until": "2026-06-01"})
    assert answer.status_code == 400
    assert (
        'id="id_until-errors"><li>Must not be before the start of the period.</li>'
        in answer.content.decode()
    )
    bad_id = officer.get("/console/decisions/", {"customer": "-3"})
    assert "Ensure this value is greater than or equal to 1." in bad_id.content.decode()


def test_a_decision_page_shows_inputs_rules_reasons_and_version(officer, trail):
    _, _, ids = trail
    page = officer.get(f"/console/decisions/{ids[1]}/").content.decode()
    assert "Eligibility check for" in page
    assert "<dt>Loan amount</dt><dd>₹\u00a090,00,000.00</dd>" in page
    assert "<dt>Policy version</dt><dd>1</dd>" in page
    assert '<tr><td>Monthly salary</td><td class="num">1,00,000.00</td></tr>' in page
    assert '<tr><td>Completed loans</td><td class="num">0</td></tr>' in page
    assert "more than the approved limit (₹\u00a036,00,000.00)." in page
    # An officer sees no replay: the replay is the risk role's (as GET /decisions/{id}/replay).
    assert "Replay" not in page


def test_the_risk_role_sees_the_replay_match_the_record(signed_in, trail):
    _, _, ids = trail
    page = signed_in(Role.RISK).get(f"/console/decisions/{ids[2]}/").content.decode()
    assert 'Under version 1: <span class="badge good">matches the record</span>' in page
    assert (
        '<tr><td>Installment (₹)</td><td class="num">8,884.88</td>'
        '<td class="num">8,884.88</td></tr>' in page
    )


def test_a_replay_under_another_version_says_whether_it_differs(signed_in, trail):
    _, _, ids = trail
    strict = create_draft(changes={"minimum_score": 45}, based_on=None, created_by="r")
    risk = signed_in(Role.RISK)
    page = risk.get(f"/console/decisions/{ids[0]}/", {"policy": strict.version}).content.decode()
    assert (
        f'Under version {strict.version}: <span class="badge bad">differs from the record</span>'
        in page
    )
    assert (
        '<tr><td>Approval</td><td class="num">approved</td><td class="num">refused</td></tr>'
        in page
    )


def test_a_decision_without_figures_says_it_cannot_be_replayed(signed_in, trail):
    _, _, ids = trail
    old = CreditDecision.objects.get(pk=ids[0])
    old.pk = None
    old.figures = None
    old.save()
    page = signed_in(Role.RISK).get(f"/console/decisions/{old.pk}/").content.decode()
    assert "was recorded before decisions kept what they were made from" in page
    assert "Recorded before decisions kept their figures." in page


def test_a_decision_without_figures_shows_the_reason_it_recorded(officer, trail):
    _, _, ids = trail
    old = CreditDecision.objects.get(pk=ids[1])
    old.pk = None
    old.figures = None
    old.save()
    page = officer.get(f"/console/decisions/{old.pk}/").content.decode()
    assert "more than the approved limit (3600000.00).</li>" in page


def test_a_reason_the_rules_no_longer_give_is_shown_as_recorded(officer, trail):
    _, _, ids = trail
    old = CreditDecision.objects.get(pk=ids[1])
    old.pk = None
    old.reasons = [{"code": "credit_score_too_low", "message": "Words of an older release."}]
    old.save()
    page = officer.get(f"/console/decisions/{old.pk}/").content.decode()
    assert "<li>Words of an older release.</li>" in page
