"""Loans above the referral line: referred by create-loan, booked once a second person
approves them (re-decided at that moment), or lapsed when the rules no longer pass."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction

from approvals.models import ApprovalRequest, ApprovalStatus
from decisions.models import CreditDecision
from loans.models import Loan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("four_eyes", "line")]


def application(customer, amount=600000):
    return {"customer_id": customer.pk, "loan_amount": amount, "interest_rate": 10, "tenure": 36}


def referred(as_, customer, maker="olga", amount=600000, **headers):
    response = as_(maker).post("/create-loan", application(customer, amount), **headers)
    assert response.status_code == 202, response.content
    return response.json()["approval_id"]


def test_check_eligibility_says_a_loan_above_the_line_needs_approval(as_, customer):
    above = as_("olga").post("/check-eligibility", application(customer)).json()
    at_the_line = as_("olga").post("/check-eligibility", application(customer, 500000)).json()
    refused = as_("olga").post("/check-eligibility", application(customer, 2000000)).json()
    assert (above["approval"], above["needs_approval"]) == (True, True)
    assert (at_the_line["approval"], at_the_line["needs_approval"]) == (True, False)
    assert (refused["approval"], refused["needs_approval"]) == (False, False)


def test_create_loan_above_the_line_is_referred_with_202_and_books_nothing(as_, customer, line):
    response = as_("olga").post("/create-loan", application(customer))
    assert response.status_code == 202
    referral = CreditDecision.objects.get()
    approval = ApprovalRequest.objects.get()
    assert response.json() == {
        "loan_id": None,
        "customer_id": customer.pk,
        "loan_approved": False,
        "message": "Loan referred for approval: it passes every rule but is above the policy's "
        f"referral line, so a second person must approve it (approval {approval.pk}).",
        "monthly_installment": 19928.59,
        "decision_id": referral.pk,
        "max_eligible_amount": 1000000.00,
        "min_tenure_months": 13,
        "status": "referred",
        "approval_id": approval.pk,
    }
    assert not Loan.objects.exists()
    assert (referral.kind, referral.approved, referral.loan_id, referral.requested_by) == (
        "referred",
        True,
        None,
        "olga",
    )
    assert (approval.kind, approval.status, approval.maker, approval.reason) == (
        "loan_referral",
        "pending",
        "olga",
        f"The amount 600000.00 is above policy version {line}'s referral line (500000.00).",
    )
    assert approval.inputs == {
        "customer_id": customer.pk,
        "loan_amount": "600000.00",
        "interest_rate": "10.00",
        "tenure": 36,
    }
    assert (approval.customer_id, approval.decision_id) == (customer.pk, referral.pk)


def test_a_retried_referral_replays_its_202_and_files_one_request(as_, customer):
    first = as_("olga").post("/create-loan", application(customer), HTTP_IDEMPOTENCY_KEY="k-1")
    retry = as_("olga").post("/create-loan", application(customer), HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, retry.status_code) == (202, 202)
    assert retry.content == first.content
    assert retry["Idempotent-Replayed"] == "true"
    assert ApprovalRequest.objects.count() == 1
    assert CreditDecision.objects.count() == 1


def test_a_loan_at_the_line_or_refused_is_never_referred(as_, customer):
    assert as_("olga").post("/create-loan", application(customer, 500000)).status_code == 201
    assert as_("olga").post("/create-loan", application(customer, 2000000)).status_code == 200
    assert not ApprovalRequest.objects.exists()


def test_approving_decides_again_and_books_at_the_decided_terms(as_, customer):
    approval_id = referred(as_, customer)
    response = as_("asha").post(f"/approvals/{approval_id}/approve", {"note": "payslips seen"})
    assert response.status_code == 200
    loan = Loan.objects.get()
    decided = CreditDecision.objects.get(kind="referral_approved")
    body = response.json()
    assert (body["status"], body["checker"], body["note"], body["maker"]) == (
        "approved",
        "asha",
        "payslips seen",
        "olga",
    )
    assert body["outcome"] == {
        "decision_id": decided.pk,
        "loan_id": loan.pk,
        "corrected_interest_rate": "12.00",
        "monthly_installment": "19928.59",
        "reasons": [],
    }
    assert body["decided_at"] is not None
    assert (loan.customer_id, loan.loan_amount, loan.interest_rate, loan.tenure) == (
        customer.pk,
        Decimal("600000.00"),
        Decimal("12.00"),
        36,
    )
    assert loan.monthly_installment == Decimal("19928.59")
    # The audit trail: the referral, then the decision that booked it, made by the checker.
    assert list(
        CreditDecision.objects.order_by("id").values_list("kind", "requested_by", "loan_id")
    ) == [("referred", "olga", None), ("referral_approved", "asha", loan.pk)]


def test_the_maker_may_never_approve_whatever_their_roles(as_, customer):
    approval_id = referred(as_, customer, maker="root")  # an admin made it
    refused = as_("root").post(f"/approvals/{approval_id}/approve")
    assert (refused.status_code, refused.json()["error"]) == (
        403,
        {
            "code": "four_eyes",
            "message": f"Approval request {approval_id} is yours: a second person must approve "
            "or reject it.",
            "fields": {},
        },
    )
    rejected = as_("root").post(f"/approvals/{approval_id}/reject", {"reason": "mine"})
    assert (rejected.status_code, rejected.json()["error"]["code"]) == (403, "four_eyes")
    assert ApprovalRequest.objects.get().status == ApprovalStatus.PENDING
    assert not Loan.objects.exists()


def test_a_role_that_may_not_decide_is_refused(as_, customer):
    approval_id = referred(as_, customer)
    by_risk = as_("rita").post(f"/approvals/{approval_id}/approve")
    assert (by_risk.status_code, by_risk.json()["error"]) == (
        403,
        {
            "code": "not_a_checker",
            "message": f"Approval request {approval_id} needs the role approver or admin to "
            "decide.",
            "fields": {},
        },
    )
    by_officer = as_("omar").post(f"/approvals/{approval_id}/approve")
    assert (by_officer.status_code, by_officer.json()["error"]["code"]) == (
        403,
        "permission_denied",
    )
    assert as_("root").post(f"/approvals/{approval_id}/approve").status_code == 200


def test_a_decided_request_never_acts_again(as_, customer):
    approval_id = referred(as_, customer)
    assert as_("asha").post(f"/approvals/{approval_id}/approve").status_code == 200
    again = as_("ravi").post(f"/approvals/{approval_id}/approve")
    assert (again.status_code, again.json()["error"]) == (
        409,
        {
            "code": "already_decided",
            "message": f"Approval request {approval_id} is approved already: it never acts again.",
            "fields": {},
        },
    )
    assert as_("ravi").post(f"/approvals/{approval_id}/reject", {"reason": "x"}).status_code == 409
    assert Loan.objects.count() == 1


def test_rejecting_needs_a_reason_and_books_nothing(as_, customer):
    approval_id = referred(as_, customer)
    missing = as_("asha").post(f"/approvals/{approval_id}/reject", {})
    assert (missing.status_code, missing.json()["error"]["fields"]) == (
        400,
        {"reason": ["This field is required."]},
    )
    blank = as_("asha").post(f"/approvals/{approval_id}/reject", {"reason": "  "})
    assert blank.status_code == 400
    rejected = as_("asha").post(f"/approvals/{approval_id}/reject", {"reason": "income unproven"})
    assert rejected.status_code == 200
    body = rejected.json()
    assert (body["status"], body["checker"], body["note"], body["outcome"]) == (
        "rejected",
        "asha",
        "income unproven",
        None,
    )
    assert as_("ravi").post(f"/approvals/{approval_id}/approve").status_code == 409
    assert not Loan.objects.exists()
    assert CreditDecision.objects.count() == 1  # the referral only


def test_two_referrals_that_do_not_fit_together_never_both_book(as_, customer):
    first = referred(as_, customer)
    second = referred(as_, customer, maker="omar")
    assert as_("asha").post(f"/approvals/{first}/approve").status_code == 200
    lapsed = as_("ravi").post(f"/approvals/{second}/approve")
    limit_reason = (
        "Current loans plus this one would total 1200000.00, more than the approved limit "
        "(1000000.00)."
    )
    assert (lapsed.status_code, lapsed.json()["error"]) == (
        409,
        {
            "code": "approval_lapsed",
            "message": f"Approval request {second} lapsed, nothing was done: {limit_reason}",
            "fields": {},
        },
    )
    closed = ApprovalRequest.objects.get(pk=second)
    decided = CreditDecision.objects.filter(kind="referral_approved").latest("id")
    assert (closed.status, closed.checker) == ("lapsed", "ravi")
    # Decided again as things stand: the first loan lowers the score to the 16% slab too.
    assert closed.outcome == {
        "decision_id": decided.pk,
        "loan_id": None,
        "corrected_interest_rate": "16.00",
        "monthly_installment": "21094.22",
        "reasons": [{"code": "approved_limit_exceeded", "message": limit_reason}],
    }
    assert (decided.approved, decided.loan_id, decided.requested_by) == (False, None, "ravi")
    assert Loan.objects.filter(customer=customer).count() == 1
    assert as_("asha").post(f"/approvals/{second}/approve").status_code == 409


def test_the_queue_lists_oldest_first_and_filters(as_, customer):
    first = referred(as_, customer)
    second = referred(as_, customer, maker="omar")
    as_("asha").post(f"/approvals/{first}/reject", {"reason": "no"})
    listed = as_("olga").get("/approvals").json()["results"]
    assert [(row["approval_id"], row["status"]) for row in listed] == [
        (first, "rejected"),
        (second, "pending"),
    ]
    pending = as_("asha").get("/approvals?status=pending&kind=loan_referral").json()["results"]
    assert [row["approval_id"] for row in pending] == [second]
    assert as_("asha").get("/approvals?kind=policy_activation").json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }
    wrong = as_("asha").get("/approvals?status=done")
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (400, "validation_error")
    assert list(wrong.json()["error"]["fields"]) == ["status"]


def test_an_unknown_request_is_a_404(as_):
    missing = as_("asha").get("/approvals/99")
    assert (missing.status_code, missing.json()["error"]) == (
        404,
        {"code": "approval_not_found", "message": "No approval request 99.", "fields": {}},
    )
    assert as_("asha").post("/approvals/99/approve").status_code == 404


def test_an_approver_may_do_what_an_officer_may(as_, customer):
    assert as_("asha").post("/check-eligibility", application(customer, 100000)).status_code == 200
    assert as_("asha").post("/create-loan", application(customer, 100000)).status_code == 201
    assert as_("asha").get(f"/view-loans/{customer.pk}").status_code == 200
    assert as_("asha").get("/policies").status_code == 403


def test_a_decided_request_cannot_be_changed_even_in_sql(as_, customer):
    approval_id = referred(as_, customer)
    pending = ApprovalRequest.objects.filter(pk=approval_id)
    with pytest.raises(DatabaseError), transaction.atomic():
        pending.update(inputs={"customer_id": customer.pk, "loan_amount": "9000000.00"})
    as_("asha").post(f"/approvals/{approval_id}/reject", {"reason": "no"})
    with pytest.raises(DatabaseError), transaction.atomic():
        pending.update(status=ApprovalStatus.PENDING, decided_at=None)
    with pytest.raises(DatabaseError), transaction.atomic():
        pending.update(note="changed my mind")
    assert pending.get().note == "no"


def test_without_identities_nobody_is_told_apart_and_nothing_is_referred(api, customer):
    """The open API of `make run`: four eyes on, but every request is nobody's."""
    response = api.post("/create-loan", application(customer), format="json")
    assert response.status_code == 201
    assert not ApprovalRequest.objects.exists()
    eligibility = api.post("/check-eligibility", application(customer, 100000), format="json")
    assert eligibility.json()["needs_approval"] is False


def test_with_four_eyes_off_a_loan_above_the_line_is_booked(as_, customer, settings):
    settings.FOUR_EYES = False
    assert as_("olga").post("/create-loan", application(customer)).status_code == 201
    assert not ApprovalRequest.objects.exists()


def test_the_commands_make_approvers(keys):
    from io import StringIO

    from django.contrib.auth.models import User
    from django.core.management import call_command

    from core.models import ApiKey

    assert ApiKey.objects.get(name="asha").role == "approver"  # api_key create --role approver
    out = StringIO()
    with pytest.MonkeyPatch.context() as patched:
        patched.setenv("STAFF_PASSWORD", "a-long-enough-password-42")
        call_command("create_staff_user", "anita", "--role", "approver", stdout=out)
    assert out.getvalue() == "Created anita with the role approver.\n"
    groups = User.objects.get(username="anita").groups.values_list("name", flat=True)
    assert list(groups) == ["approver"]
