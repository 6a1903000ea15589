"""Four eyes: the approval requests (list, read, approve, reject) and the two endpoints whose
action may wait for one: create-loan (a loan above the referral line) and a policy's
activation."""

from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals.contracts import (
    APPROVALS_A_PAGE,
    MOST_APPROVALS_A_PAGE,
    ActivationInput,
    ApprovalList,
    ApprovalOutput,
    ApprovalQuery,
    ApproveInput,
    ReferredLoanOutput,
    RejectInput,
    activation_input,
)
from approvals.errors import AlreadyDecided, ApprovalLapsed, ApprovalNotFound, FourEyes
from approvals.permissions import APPROVALS, DECIDERS
from approvals.selectors import find_approvals, get_approval, view_of, views_of
from approvals.services import apply_for_loan, approve, reject, request_activation
from core import clock
from core.auth import roles_of_client, who_asked
from core.contract import parse, respond
from core.idempotency import idempotent
from core.pages import Pages
from core.schema import ApiSchema, error_responses, query_parameters
from customers.errors import CustomerNotFound
from decisions.contracts import CreateLoanOutput, LoanApplicationInput
from decisions.permissions import APPLICATIONS
from policies.contracts import PolicyOutput
from policies.errors import PolicyNotFound
from policies.permissions import POLICIES


class ApprovalPage(Pages):
    page_size = APPROVALS_A_PAGE
    max_page_size = MOST_APPROVALS_A_PAGE


class ApprovalsApi(APIView):
    roles = APPROVALS

    @extend_schema(
        operation_id="approvals_list",  # paged by hand, as the decisions list: named as a list
        summary="Approval requests, oldest first, a page at a time",
        parameters=query_parameters(ApprovalQuery),
        responses={200: ApprovalList, **error_responses(400, 404)},
    )
    def get(self, request: Request) -> Response:
        query = parse(ApprovalQuery, request.query_params)
        paginator = ApprovalPage()
        found = find_approvals(status=query.status, kind=query.kind)
        rows = paginator.paginate_queryset(found, request, view=self) or []
        page = paginator.answer([ApprovalOutput.of(view) for view in views_of(rows)])
        return respond(ApprovalList, page)


class ApprovalApi(APIView):
    roles = APPROVALS

    @extend_schema(
        summary="One approval request",
        responses={200: ApprovalOutput, **error_responses(404, examples=(ApprovalNotFound(42),))},
    )
    def get(self, request: Request, approval_id: int) -> Response:
        return respond(ApprovalOutput, ApprovalOutput.of(get_approval(approval_id)))


DECIDING_ERRORS = (ApprovalNotFound(42), FourEyes(42), AlreadyDecided(42, "approved"))


class ApproveApi(APIView):
    roles = DECIDERS

    @extend_schema(
        summary="Approve a request: its action is carried out, once",
        description="Never by its maker (403 four_eyes); a loan referral by an approver, an "
        "activation by risk (or admin). A loan the rules refuse by now lapses (409).",
        request=ApproveInput,
        responses={
            200: ApprovalOutput,
            **error_responses(
                400,
                403,
                404,
                409,
                examples=(*DECIDING_ERRORS, ApprovalLapsed(42, [{"message": "…"}])),
            ),
        },
    )
    def post(self, request: Request, approval_id: int) -> Response:
        body = parse(ApproveInput, request.data)
        approval = approve(
            approval_id,
            checker=who_asked(request),
            checker_roles=roles_of_client(request),
            note=body.note or "",
        )
        return respond(ApprovalOutput, ApprovalOutput.of(view_of(approval)))


class RejectApi(APIView):
    roles = DECIDERS

    @extend_schema(
        summary="Reject a request, with the reason: it never acts",
        request=RejectInput,
        responses={
            200: ApprovalOutput,
            **error_responses(400, 403, 404, 409, examples=DECIDING_ERRORS),
        },
    )
    def post(self, request: Request, approval_id: int) -> Response:
        body = parse(RejectInput, request.data)
        approval = reject(
            approval_id,
            checker=who_asked(request),
            checker_roles=roles_of_client(request),
            reason=body.reason,
        )
        return respond(ApprovalOutput, ApprovalOutput.of(view_of(approval)))


class CreateLoanApi(APIView):
    roles = APPLICATIONS

    @extend_schema(
        summary="Decide a loan application and book it when approved",
        description="Above the active policy's referral line, while four eyes apply, an "
        "application that passes every rule is referred (202) and booked when a second person "
        "approves it.",
        request=LoanApplicationInput,
        responses={
            201: CreateLoanOutput,
            200: CreateLoanOutput,
            202: ReferredLoanOutput,
            **error_responses(400, 404, 409, 422, examples=(CustomerNotFound(42),)),
        },
        examples=[
            OpenApiExample(
                "application",
                request_only=True,
                value={
                    "customer_id": 1,
                    "loan_amount": 200000,
                    "interest_rate": 10.5,
                    "tenure": 24,
                },
            ),
            OpenApiExample(
                "booked",
                response_only=True,
                status_codes=["201"],
                value={
                    "loan_id": 783,
                    "customer_id": 1,
                    "loan_approved": True,
                    "message": "Loan approved.",
                    "monthly_installment": 9414.69,
                    "decision_id": 5121,
                },
            ),
        ],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        application = parse(LoanApplicationInput, request.data)
        customer_id = application.customer_id
        applied = apply_for_loan(
            customer_id,
            application.loan_request(),
            as_of=clock.today(),
            requested_by=who_asked(request),
        )
        if applied.approval_id is not None:
            referred = ReferredLoanOutput.of_referral(
                customer_id, applied.recorded, applied.approval_id
            )
            return respond(ReferredLoanOutput, referred, status.HTTP_202_ACCEPTED)
        booked = applied.recorded.loan_id is not None
        return respond(
            CreateLoanOutput,
            CreateLoanOutput.of(customer_id, applied.recorded),
            status.HTTP_201_CREATED if booked else status.HTTP_200_OK,
        )


class ActivationSchema(ApiSchema):
    """The body as the setting has it when the document is asked for: where four eyes are on
    (production), every identified caller must give a rationale, so the document says required;
    the service asks it (approvals.services, with its own message) of exactly those callers."""

    def get_request_serializer(self) -> Any:
        return activation_input(settings.FOUR_EYES)


class PolicyActivationApi(APIView):
    roles = POLICIES
    schema = ActivationSchema()

    @extend_schema(
        summary="Make this version the one in force (the one before is retired)",
        description="While four eyes apply, the activation waits for another risk person "
        "(202, the approval request; `rationale` required). Otherwise it is immediate (200). "
        "A retired version may be activated again; activating the active version changes "
        "nothing.",
        responses={
            200: PolicyOutput,
            202: ApprovalOutput,
            **error_responses(400, 404, examples=(PolicyNotFound(42),)),
        },
    )
    def post(self, request: Request, version: int) -> Response:
        body = parse(ActivationInput, request.data)
        asked = request_activation(
            version, rationale=body.rationale, requested_by=who_asked(request)
        )
        if asked.approval is not None:
            pending = ApprovalOutput.of(view_of(asked.approval))
            return respond(ApprovalOutput, pending, status.HTTP_202_ACCEPTED)
        return respond(PolicyOutput, PolicyOutput.of(asked.version))
