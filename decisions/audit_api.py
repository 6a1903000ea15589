"""The decision audit trail, read-only."""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.contract import parse, respond
from core.pages import Pages, page_of
from core.schema import error_responses, query_parameters
from customers.errors import CustomerNotFound
from decisions.contracts import (
    DECISIONS_A_PAGE,
    MOST_DECISIONS_A_PAGE,
    DecisionOutput,
    DecisionPageQuery,
    ReplayOutput,
    ReplayQuery,
)
from decisions.errors import DecisionNotFound, NotReplayable
from decisions.permissions import AUDIT, REPLAY
from decisions.replay import replay
from decisions.selectors import customer_decisions, get_decision

DecisionPageOutput = page_of(DecisionOutput, "DecisionPageOutput")


class DecisionPage(Pages):
    page_size = DECISIONS_A_PAGE
    max_page_size = MOST_DECISIONS_A_PAGE


class CustomerDecisionsApi(APIView):
    roles = AUDIT
    replica_reads = True  # its GET may read a replica (core.replica)

    @extend_schema(
        summary="A customer's credit decisions, newest first",
        parameters=query_parameters(DecisionPageQuery),
        responses={
            200: DecisionPageOutput,
            **error_responses(404, examples=(CustomerNotFound(42),)),
        },
    )
    def get(self, request: Request, customer_id: int) -> Response:
        parse(DecisionPageQuery, request.query_params)
        paginator = DecisionPage()
        records = paginator.paginate_queryset(customer_decisions(customer_id), request, view=self)
        rows = [DecisionOutput.of(record) for record in records or []]
        return respond(DecisionPageOutput, paginator.answer(rows))


class DecisionReplayApi(APIView):
    roles = REPLAY
    replica_reads = True  # its GET may read a replica (core.replica)

    @extend_schema(
        summary="Make a recorded decision again from what it was made from",
        description="Under the version it recorded, the replay matches; under another "
        "(?policy=VERSION), `matches` says whether the outcome is the same.",
        parameters=query_parameters(ReplayQuery),
        responses={
            200: ReplayOutput,
            **error_responses(400, 404, 409, examples=(DecisionNotFound(42), NotReplayable(42))),
        },
    )
    def get(self, request: Request, decision_id: int) -> Response:
        query = parse(ReplayQuery, request.query_params)
        return respond(ReplayOutput, replay(decision_id, policy_version=query.policy))


class DecisionApi(APIView):
    roles = AUDIT
    replica_reads = True  # its GET may read a replica (core.replica)

    @extend_schema(
        summary="One credit decision with its inputs, score, rules and reasons",
        responses={200: DecisionOutput, **error_responses(404, examples=(DecisionNotFound(42),))},
    )
    def get(self, request: Request, decision_id: int) -> Response:
        return respond(DecisionOutput, DecisionOutput.of(get_decision(decision_id)))
