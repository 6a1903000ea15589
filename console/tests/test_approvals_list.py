"""The Approvals queue reads a page in a fixed number of queries whatever its rows, pages the
pending requests, and exports every request as CSV or Excel with formula-like cells
neutralized."""

from datetime import date
from decimal import Decimal

import pytest

from approvals.models import ApprovalKind, ApprovalRequest
from approvals.services import apply_for_loan, reject
from console.tests.test_exports import body, sheet_rows
from console.views.approvals import APPROVALS_A_PAGE
from core.auth import Role
from credit.policy import LoanRequest
from customers.tests.factories import CustomerFactory
from decisions.tests.factories import SimulationFactory
from policies.services import activate, create_draft

pytestmark = pytest.mark.django_db


def activation(reason: str = "review") -> ApprovalRequest:
    draft = create_draft(changes={"max_emi_share_of_salary": "0.4"}, based_on=None, created_by="r")
    SimulationFactory.create(policy=draft)
    return ApprovalRequest.objects.create(
        kind=ApprovalKind.POLICY_ACTIVATION,
        inputs={"version": draft.pk, "parameters": draft.parameters},
        reason=reason,
        maker="rita",
        policy=draft,
    )


@pytest.fixture
def admin(signed_in):
    client = signed_in(Role.ADMIN, name="root")
    client.get("/console/approvals/")  # the session's first request writes it
    return client


@pytest.mark.parametrize("rows", [1, 30])
def test_the_queue_costs_the_same_queries_for_one_request_or_many(
    admin, rows, django_assert_num_queries
):
    for _ in range(rows):
        activation()
    # The session, the user, the roles; the count and the page of pending requests, their
    # latest simulations, the version in force (two), the recently decided.
    with django_assert_num_queries(9):
        page = admin.get("/console/approvals/").content.decode()
    assert page.count('class="approval pad"') == min(rows, APPROVALS_A_PAGE)
    assert f"Pending ({rows})" in page


@pytest.mark.parametrize("each_kind", [1, 5])
def test_the_queue_of_both_kinds_pending_and_decided_costs_the_same_queries(
    admin, settings, each_kind, django_assert_num_queries
):
    settings.FOUR_EYES = True
    line = create_draft(changes={"refer_above_amount": "500000"}, based_on=None, created_by="r")
    activate(line.pk, activated_by="r")
    customer = CustomerFactory.create(
        monthly_salary=Decimal("100000"), approved_limit=Decimal("1000000")
    )
    terms = LoanRequest(amount=Decimal("600000"), interest_rate=Decimal("10"), tenure=36)

    def referral() -> int:
        filed = apply_for_loan(customer.pk, terms, as_of=date.today(), requested_by="olga")
        assert filed.approval_id is not None
        return filed.approval_id

    for _ in range(each_kind):
        referral()
        activation()
    reject(referral(), checker="asha", checker_roles=[Role.APPROVER], reason="no")
    reject(activation().pk, checker="ram", checker_roles=[Role.RISK], reason="no")
    # The session, the user, the roles; the count and the page of pending requests, the
    # recently decided, both lists' latest simulations, the version in force (two).
    with django_assert_num_queries(9):
        page = admin.get("/console/approvals/").content.decode()
    assert page.count('class="approval pad"') == 2 * each_kind + 2
    assert f"Pending ({2 * each_kind})" in page
    # What each row shows beside it: a referral's terms, an activation's changes.
    assert page.count("₹ 6,00,000.00 over 36 months") == each_kind + 1
    assert page.count(": Installments as a share of salary 50% → 40%</dd>") == each_kind + 1


def test_the_queue_pages_its_pending_requests(admin):
    made = [activation().pk for _ in range(APPROVALS_A_PAGE + 2)]
    second = admin.get("/console/approvals/?page=2").content.decode()
    assert [pk for pk in made if f'id="approval-{pk}"' in second] == made[APPROVALS_A_PAGE:]
    assert "Page 2 of 2" in second


def test_the_requests_export_as_csv_neutralized(admin):
    first = activation("=cmd|' /C calc'!A0")
    answer = admin.get("/console/approvals/export.csv")
    assert answer["Content-Disposition"] == 'attachment; filename="approvals.csv"'
    created = first.created_at.astimezone().strftime("%Y-%m-%d %H:%M:%S.%f")
    assert body(answer).decode() == (
        "Request,Kind,Status,Asked by,Asked at,Why,Customer,Decision,Loan amount,Tenure,"
        "Policy version,Decided by,Decided at,Note,Loan booked\r\n"
        f"{first.pk},Policy activation,Pending,rita,{created},'=cmd|' /C calc'!A0,,,,,"
        f"{first.policy_id},,,,\r\n"
    )


def test_the_requests_export_as_a_workbook_filtered_by_status(admin):
    pending = activation("=1+1")
    answer = admin.get("/console/approvals/export.xlsx", {"status": "pending"})
    rows = sheet_rows(answer)
    assert rows[1][:3] == (pending.pk, "Policy activation", "Pending")
    assert rows[1][5] == "'=1+1"
    assert len(rows) == 2
    assert sheet_rows(admin.get("/console/approvals/export.xlsx", {"status": "approved"})) == [
        rows[0]
    ]


def test_an_export_with_a_filter_that_makes_no_sense_is_the_queue_with_the_error(admin):
    refused = admin.get("/console/approvals/export.csv", {"status": "done"})
    assert refused.status_code == 400
    assert "Export not made: status: " in refused.content.decode()
