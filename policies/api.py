"""The credit policy's versions: list, read, draft, edit a draft, delete a draft (activation,
which may wait for a second person, is approvals.api's)."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.auth import who_asked
from core.contract import (
    parse,
    respond,
)
from core.schema import error_responses
from policies.contracts import DraftInput, PolicyChanges, PolicyList, PolicyOutput
from policies.errors import PolicyNotADraft, PolicyNotFound
from policies.permissions import POLICIES
from policies.selectors import get_version, versions
from policies.services import create_draft, delete_draft, update_draft

POLICY_EXAMPLE = OpenApiExample(
    "a draft raising the repayment weight",
    request_only=True,
    value={"weights": {"repayment_on_time": 40, "approved_volume": 10}, "minimum_score": 15},
)


class PoliciesApi(APIView):
    roles = POLICIES
    replica_reads = True  # its GET may read a replica (core.replica)

    @extend_schema(
        operation_id="policies_list",  # a list without DRF's pagination: named as one
        summary="Every version of the credit policy, newest first",
        responses={200: PolicyList, **error_responses()},
    )
    def get(self, request: Request) -> Response:
        rows = [PolicyOutput.of(row) for row in versions()]
        return respond(PolicyList, PolicyList(results=rows))

    @extend_schema(
        summary="Draft a new version from another (the active one by default)",
        request=DraftInput,
        responses={
            201: PolicyOutput,
            **error_responses(400, 404, 409, examples=(PolicyNotFound(42),)),
        },
        examples=[POLICY_EXAMPLE],
    )
    def post(self, request: Request) -> Response:
        draft = parse(DraftInput, request.data)
        row = create_draft(
            changes=draft.changes(), based_on=draft.based_on, created_by=who_asked(request)
        )
        return respond(PolicyOutput, PolicyOutput.of(row), status.HTTP_201_CREATED)


NOT_A_DRAFT = PolicyNotADraft(1, "active")


class PolicyApi(APIView):
    roles = POLICIES
    replica_reads = True  # its GET may read a replica (core.replica)

    @extend_schema(
        summary="One version of the credit policy",
        responses={200: PolicyOutput, **error_responses(404, examples=(PolicyNotFound(42),))},
    )
    def get(self, request: Request, version: int) -> Response:
        return respond(PolicyOutput, PolicyOutput.of(get_version(version)))

    @extend_schema(
        summary="Change a draft's parameters",
        request=PolicyChanges,
        responses={
            200: PolicyOutput,
            **error_responses(400, 404, 409, examples=(PolicyNotFound(42), NOT_A_DRAFT)),
        },
        examples=[POLICY_EXAMPLE],
    )
    def patch(self, request: Request, version: int) -> Response:
        changes = parse(PolicyChanges, request.data)
        row = update_draft(version, changes=changes.changes())
        return respond(PolicyOutput, PolicyOutput.of(row))

    @extend_schema(
        summary="Delete a draft",
        responses={
            204: None,
            **error_responses(404, 409, examples=(PolicyNotFound(42), NOT_A_DRAFT)),
        },
    )
    def delete(self, request: Request, version: int) -> Response:
        delete_draft(version)
        return Response(status=status.HTTP_204_NO_CONTENT)
