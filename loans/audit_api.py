"""The decision audit trail, read-only."""

from decimal import Decimal
from typing import Annotated

from drf_spectacular.utils import extend_schema
from pydantic import Field
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.auth import Role
from core.contract import Day, Declaration, Money, Timestamp, WholeNumber, parse, respond
from core.limits import LARGEST_ID
from core.schema import error_responses, query_parameters
from customers.errors import CustomerNotFound
from loans.api import ReasonOutput, ScoreBreakdownOutput
from loans.errors import DecisionNotFound, NotReplayable
from loans.models import CreditDecision, DecisionKind
from loans.replay import replay
from loans.selectors import customer_decisions, get_decision


class DecisionInputsOutput(Declaration):
    loan_amount: Money
    interest_rate: Money
    tenure: int


class DecisionOutput(Declaration):
    decision_id: int
    customer_id: int
    kind: DecisionKind
    inputs: DecisionInputsOutput
    as_of: Day
    approved: bool
    credit_score: int
    score_breakdown: ScoreBreakdownOutput
    rules: dict[str, bool]
    reasons: list[ReasonOutput]
    corrected_interest_rate: Money
    monthly_installment: Money
    policy_version: str
    loan_id: int | None
    requested_by: str = Field(
        description="A key's name (or its fingerprint), a username; empty when open."
    )
    created_at: Timestamp

    @classmethod
    def of(cls, record: CreditDecision) -> "DecisionOutput":
        return cls(
            decision_id=record.pk,
            customer_id=record.customer_id,
            kind=DecisionKind(record.kind),
            inputs=DecisionInputsOutput.model_validate(record),
            as_of=record.as_of,
            approved=record.approved,
            credit_score=record.credit_score,
            # Stored as text, so no float ever holds the points.
            score_breakdown=ScoreBreakdownOutput.of(
                {factor: Decimal(points) for factor, points in record.score_breakdown.items()}
            ),
            rules=record.rules,
            reasons=record.reasons,
            corrected_interest_rate=record.corrected_interest_rate,
            monthly_installment=record.monthly_installment,
            policy_version=record.policy_version,
            loan_id=record.loan_id,
            requested_by=record.requested_by,
            created_at=record.created_at,
        )


class DecisionPageOutput(Declaration):
    count: int
    next: str | None
    previous: str | None
    results: list[DecisionOutput]

    @classmethod
    def of(cls, paginator: "DecisionPage", records: list[CreditDecision]) -> "DecisionPageOutput":
        return cls(
            count=paginator.page.paginator.count if paginator.page else 0,
            next=paginator.get_next_link(),
            previous=paginator.get_previous_link(),
            results=[DecisionOutput.of(record) for record in records],
        )


class DecisionPage(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class DecisionPageQuery(Declaration):
    """What the paginator reads, declared: anything else (`?page_size=null`) is a 400."""

    page: Annotated[int, WholeNumber(1, LARGEST_ID)] = Field(
        default=1, description="Page number, from 1; past the last page, 404."
    )
    page_size: Annotated[int, WholeNumber(1, DecisionPage.max_page_size)] = Field(
        default=DecisionPage.page_size, description="Decisions a page: 20, at most 100."
    )


class CustomerDecisionsApi(APIView):
    roles = (Role.OFFICER, Role.RISK)
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
        return respond(DecisionPageOutput, DecisionPageOutput.of(paginator, records or []))


class OutcomeOutput(Declaration):
    approval: bool
    credit_score: int
    corrected_interest_rate: Money
    monthly_installment: Money
    max_eligible_amount: Money | None
    reason_codes: list[str]


class ReplayOutput(Declaration):
    decision_id: int
    policy_version: int
    recorded: OutcomeOutput
    replayed: OutcomeOutput
    matches: bool = Field(description="Whether the replayed outcome is the recorded one.")


class ReplayQuery(Declaration):
    policy: Annotated[int, WholeNumber(1, LARGEST_ID)] | None = Field(
        default=None,
        description="Replay under this version instead of the one recorded (a what-if).",
    )


class DecisionReplayApi(APIView):
    roles = (Role.RISK,)
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
    roles = (Role.OFFICER, Role.RISK)
    replica_reads = True  # its GET may read a replica (core.replica)

    @extend_schema(
        summary="One credit decision with its inputs, score, rules and reasons",
        responses={200: DecisionOutput, **error_responses(404, examples=(DecisionNotFound(42),))},
    )
    def get(self, request: Request, decision_id: int) -> Response:
        return respond(DecisionOutput, DecisionOutput.of(get_decision(decision_id)))
