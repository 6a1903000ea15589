"""The Approvals queue: a referral made in the console, seen by its maker without a button,
approved or rejected by an approver, and a policy activation waiting for another risk person."""

from decimal import Decimal

import pytest

from approvals.models import ApprovalRequest
from approvals.tests.conftest import LINE
from console.tests.conftest import form_key
from core.auth import Role
from customers.tests.factories import CustomerFactory
from loans.models import Loan
from policies.models import PolicyStatus, PolicyVersion
from policies.services import activate, create_draft

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def four_eyes_and_a_line(settings):
    settings.FOUR_EYES = True
    draft = create_draft(changes={"refer_above_amount": str(LINE)}, based_on=None, created_by="")
    activate(draft.pk, activated_by="")


@pytest.fixture
def customer():
    return CustomerFactory.create(
        monthly_salary=Decimal("100000"), approved_limit=Decimal("1000000")
    )


def book(client, customer, amount="600000"):
    terms = {"loan_amount": amount, "interest_rate": "10", "tenure": "36", "form_key": form_key()}
    return client.post(f"/console/customers/{customer.pk}/apply/book/", terms)


def test_a_referral_shows_on_the_application_page_and_waits_for_an_approver(signed_in, customer):
    olga = signed_in(Role.OFFICER, name="olga")
    referred = book(olga, customer)
    approval = ApprovalRequest.objects.get()
    assert referred.status_code == 303
    page = olga.get(referred["Location"]).content.decode()
    assert '<span class="badge pending large">Referred for approval</span>' in page
    assert f'href="/console/approvals/#approval-{approval.pk}">approval {approval.pk}</a>' in page
    assert not Loan.objects.exists()

    queue = olga.get("/console/approvals/").content.decode()
    assert "Yours: it waits for another person to approve or reject it." in queue
    assert f'action="/console/approvals/{approval.pk}/approve/"' not in queue

    asha = signed_in(Role.APPROVER, name="asha")
    waiting = asha.get("/console/approvals/").content.decode()
    assert '<span class="badge count" aria-label="1 pending">1</span>' in waiting
    assert f'action="/console/approvals/{approval.pk}/approve/"' in waiting
    assert "₹ 6,00,000.00 over 36 months at 12.00%" in waiting

    approved = asha.post(f"/console/approvals/{approval.pk}/approve/", {"note": "seen"})
    loan = Loan.objects.get()
    assert (approved.status_code, approved["Location"]) == (303, "/console/approvals/")
    shown = asha.get("/console/approvals/").content.decode()
    assert f"Approval request {approval.pk} is approved: loan {loan.pk} is booked." in shown
    assert (loan.loan_amount, loan.interest_rate) == (Decimal("600000.00"), Decimal("12.00"))


def test_the_maker_is_refused_by_the_server_too(signed_in, customer):
    asha = signed_in(Role.APPROVER, name="asha")  # an approver may apply as an officer does
    book(asha, customer)
    approval = ApprovalRequest.objects.get()
    queue = asha.get("/console/approvals/").content.decode()
    assert f'action="/console/approvals/{approval.pk}/approve/"' not in queue
    refused = asha.post(f"/console/approvals/{approval.pk}/approve/", {})
    page = asha.get(refused["Location"]).content.decode()
    assert (
        f"Approval request {approval.pk} is yours: a second person must approve or reject it."
        in page
    )
    assert ApprovalRequest.objects.get().status == "pending"
    assert not Loan.objects.exists()


def test_rejecting_needs_a_reason_beside_the_field(signed_in, customer):
    book(signed_in(Role.OFFICER, name="olga"), customer)
    approval = ApprovalRequest.objects.get()
    ravi = signed_in(Role.APPROVER, name="ravi")
    missing = ravi.post(f"/console/approvals/{approval.pk}/reject/", {"reason": " "})
    assert missing.status_code == 400
    assert (
        f'<ul class="errorlist" id="reason-{approval.pk}-errors"><li>This field may not be '
        "blank.</li></ul>" in missing.content.decode()
    )
    rejected = ravi.post(f"/console/approvals/{approval.pk}/reject/", {"reason": "no payslips"})
    assert rejected.status_code == 303
    assert (ApprovalRequest.objects.get().status, ApprovalRequest.objects.get().note) == (
        "rejected",
        "no payslips",
    )
    assert not Loan.objects.exists()


def test_an_activation_needs_a_rationale_and_another_risk_person(signed_in):
    draft = create_draft(changes={"minimum_score": 20}, based_on=None, created_by="rita")
    rita = signed_in(Role.RISK, name="rita")
    without = rita.post(f"/console/policies/{draft.pk}/activate/", {"rationale": ""})
    assert without.status_code == 200
    assert (
        "A rationale is required: a second person approves the activation."
        in without.content.decode()
    )
    asked = rita.post(f"/console/policies/{draft.pk}/activate/", {"rationale": "Q3 review"})
    assert asked.status_code == 303
    approval = ApprovalRequest.objects.get()
    assert PolicyVersion.objects.get(pk=draft.pk).status == PolicyStatus.DRAFT
    queue = signed_in(Role.RISK, name="ram").get("/console/approvals/").content.decode()
    assert "Minimum score 10 → 20" in queue
    assert "none: simulate it before approving" in queue
    ram = signed_in(Role.RISK, name="ram2")
    assert ram.post(f"/console/approvals/{approval.pk}/approve/", {}).status_code == 303
    assert PolicyVersion.objects.get(pk=draft.pk).status == PolicyStatus.ACTIVE


def test_a_lapsed_referral_says_why_in_the_consoles_format(signed_in, customer):
    book(signed_in(Role.OFFICER, name="olga"), customer)
    book(signed_in(Role.OFFICER, name="omar"), customer)
    first, second = ApprovalRequest.objects.order_by("id").values_list("pk", flat=True)
    asha = signed_in(Role.APPROVER, name="asha")
    asha.post(f"/console/approvals/{first}/approve/", {})
    lapsed = asha.post(f"/console/approvals/{second}/approve/", {})
    page = asha.get(lapsed["Location"]).content.decode()
    assert (
        f"Approval request {second} lapsed, nothing was done: Current loans plus this one would "
        "total ₹\u00a012,00,000.00, more than the approved limit (₹\u00a010,00,000.00)."
    ) in page
