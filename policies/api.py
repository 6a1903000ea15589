"""The credit policy's versions: list, read, draft, edit a draft, delete a draft, activate."""

from datetime import date
from typing import Annotated, Any

from django.http import StreamingHttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from pydantic import ConfigDict, Field, ValidationInfo, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError
from rest_framework import status
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import JsonErrors
from core.auth import Role, who_asked
from core.contract import (
    BETWEEN_FIELDS,
    CalendarDate,
    Day,
    Declaration,
    Exact,
    Money,
    Timestamp,
    WholeNumber,
    parse,
    respond,
)
from core.csv import csv_lines
from core.errors import INVALID_FIELDS, UnprocessableError
from core.jobs import JobStatus
from core.limits import LARGEST_ID
from core.schema import error_responses
from policies.errors import PolicyNotADraft, PolicyNotFound, SimulationNotFound
from policies.models import PolicySimulation, PolicyStatus, PolicyVersion
from policies.parameters import Count, Multiplier, Rate, Rounding, Score, Share, Weight
from policies.selectors import get_version, versions
from policies.services import activate, create_draft, delete_draft, update_draft
from policies.simulations import (
    FLIP_COLUMNS,
    flips_of,
    get_simulation,
    start_simulation,
    tally_of,
)


class WeightsOutput(Declaration):
    repayment_on_time: Money
    loans_taken: Money
    current_year_activity: Money
    approved_volume: Money


class RateFloorOutput(Declaration):
    min_score: int
    min_rate: Money


class PolicyOutput(Declaration):
    version: int
    status: PolicyStatus
    weights: WeightsOutput
    completed_loans_for_full_marks: int
    loans_this_year_to_lose_all: int
    rate_floors: list[RateFloorOutput] = Field(description="Best slab first.")
    minimum_score: int
    max_emi_share_of_salary: Exact
    limit_multiplier: Exact
    limit_rounding: Exact
    based_on: int | None
    created_by: str
    created_at: Timestamp
    activated_by: str
    activated_at: Timestamp | None

    @classmethod
    def of(cls, row: PolicyVersion) -> "PolicyOutput":
        return cls.model_validate(
            {
                **row.parameters,
                "version": row.version,
                "status": row.status,
                "based_on": row.based_on_id,
                "created_by": row.created_by,
                "created_at": row.created_at,
                "activated_by": row.activated_by,
                "activated_at": row.activated_at,
            }
        )


class PolicyList(Declaration):
    results: list[PolicyOutput]


class WeightChanges(Declaration):
    """Any of the weights; the others keep the base version's. Together they add up to 100."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    repayment_on_time: Weight | None = None
    loans_taken: Weight | None = None
    current_year_activity: Weight | None = None
    approved_volume: Weight | None = None


class RateFloorInput(Declaration):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_score: Score
    min_rate: Rate


class PolicyChanges(Declaration):
    """Parameters to change; any left out keep the base version's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    weights: WeightChanges | None = None
    completed_loans_for_full_marks: Count | None = None
    loans_this_year_to_lose_all: Count | None = None
    rate_floors: list[RateFloorInput] | None = None
    minimum_score: Score | None = None
    max_emi_share_of_salary: Share | None = None
    limit_multiplier: Multiplier | None = None
    limit_rounding: Rounding | None = None

    def changes(self) -> dict[str, Any]:
        """What the body changes: a parameter left out, or null, keeps the base's value."""
        return self.model_dump(
            mode="json", exclude_unset=True, exclude_none=True, exclude={"based_on"}
        )


class DraftInput(PolicyChanges):
    based_on: Annotated[int, WholeNumber(1, LARGEST_ID)] | None = Field(
        default=None, description="The version to start from; the active one when absent."
    )


POLICY_EXAMPLE = OpenApiExample(
    "a draft raising the repayment weight",
    request_only=True,
    value={"weights": {"repayment_on_time": 40, "approved_volume": 10}, "minimum_score": 15},
)


class PoliciesApi(APIView):
    roles = (Role.RISK,)
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
    roles = (Role.RISK,)
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


class PolicyActivationApi(APIView):
    roles = (Role.RISK,)

    @extend_schema(
        summary="Make this version the one in force (the one before is retired)",
        description="A retired version may be activated again; activating the active version "
        "changes nothing.",
        request=None,
        responses={200: PolicyOutput, **error_responses(404, examples=(PolicyNotFound(42),))},
    )
    def post(self, request: Request, version: int) -> Response:
        row = activate(version, activated_by=who_asked(request))
        return respond(PolicyOutput, PolicyOutput.of(row))


class SimulationInput(Declaration):
    policy: Annotated[int, WholeNumber(1, LARGEST_ID)] = Field(description="The candidate version.")
    date_from: CalendarDate = Field(alias="from")
    date_to: CalendarDate = Field(alias="to")

    @field_validator("date_to")
    @classmethod
    def not_before_from(cls, date_to: date, info: ValidationInfo) -> date:
        date_from = info.data.get("date_from")
        if date_from is not None and date_to < date_from:
            raise PydanticCustomError(
                BETWEEN_FIELDS,  # a rule no schema can state: 422 (core.contract)
                "Must not be before from ({date_from}).",
                {"date_from": str(date_from)},
            )
        return date_to


REVERSED_WINDOW = UnprocessableError(
    INVALID_FIELDS, {"to": ["Must not be before from (2026-06-16)."]}
)


class SimulationAccepted(Declaration):
    simulation_id: int
    status: JobStatus
    status_url: Annotated[str, WithJsonSchema({"type": "string", "format": "uri"})]


class FlipCounts(Declaration):
    approved_to_refused: int
    refused_to_approved: int


class SimulationReport(Declaration):
    decisions: int
    approved_before: int
    approved_after: int
    approved_to_refused: int
    refused_to_approved: int
    flips_by_reason: dict[str, FlipCounts]
    flips_by_score_band: dict[str, FlipCounts] = Field(description="By the candidate's score.")
    approved_amount_before: Money
    approved_amount_after: Money
    average_corrected_rate_before: Money | None = Field(description="Over approved decisions.")
    average_corrected_rate_after: Money | None


class SimulationProgress(Declaration):
    processed: int
    total: int


class SimulationOutput(Declaration):
    simulation_id: int
    policy: int
    date_from: Day = Field(serialization_alias="from")
    date_to: Day = Field(serialization_alias="to")
    status: JobStatus
    progress: SimulationProgress
    report: SimulationReport | None = Field(description="When the simulation has succeeded.")
    flips_url: str | None = Field(description="A CSV of the decisions whose outcome flips.")
    failure: str
    requested_by: str
    created_at: Timestamp
    started_at: Timestamp | None
    finished_at: Timestamp | None

    @classmethod
    def of(cls, simulation: PolicySimulation, flips_url: str) -> "SimulationOutput":
        done = simulation.status == JobStatus.SUCCEEDED
        return cls.model_validate(
            {
                "simulation_id": simulation.pk,
                "policy": simulation.policy_id,
                "date_from": simulation.date_from,
                "date_to": simulation.date_to,
                "status": simulation.status,
                "progress": {"processed": simulation.processed, "total": simulation.total},
                "report": tally_of(simulation).report() if done else None,
                "flips_url": flips_url if done else None,
                "failure": simulation.failure,
                "requested_by": simulation.requested_by,
                "created_at": simulation.created_at,
                "started_at": simulation.started_at,
                "finished_at": simulation.finished_at,
            }
        )


class SimulationsApi(APIView):
    roles = (Role.RISK,)

    @extend_schema(
        summary="Simulate a candidate version over the decisions recorded in a window",
        description="Every decision with an as-of date from `from` to `to` (inclusive) is "
        "decided again under `policy`, in the background; follow `status_url`.",
        request=SimulationInput,
        responses={
            202: SimulationAccepted,
            **error_responses(400, 404, 422, examples=(PolicyNotFound(42), REVERSED_WINDOW)),
        },
    )
    def post(self, request: Request) -> Response:
        asked = parse(SimulationInput, request.data)
        if not PolicyVersion.objects.filter(pk=asked.policy).exists():
            raise PolicyNotFound(asked.policy)  # as POST /policies' based_on: 404
        simulation = start_simulation(
            policy_version=asked.policy,
            date_from=asked.date_from,
            date_to=asked.date_to,
            requested_by=who_asked(request),
        )
        url = request.build_absolute_uri(reverse("policy-simulation", args=[simulation.pk]))
        body = {"simulation_id": simulation.pk, "status": simulation.status, "status_url": url}
        return respond(SimulationAccepted, body, status.HTTP_202_ACCEPTED)


class SimulationApi(APIView):
    roles = (Role.RISK,)

    @extend_schema(
        summary="A simulation's status, progress and, when done, its report",
        responses={
            200: SimulationOutput,
            **error_responses(404, examples=(SimulationNotFound(42),)),
        },
    )
    def get(self, request: Request, simulation_id: int) -> Response:
        simulation = get_simulation(simulation_id)
        url = request.build_absolute_uri(reverse("policy-simulation-flips", args=[simulation.pk]))
        return respond(SimulationOutput, SimulationOutput.of(simulation, url))


class CsvRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"


class SimulationFlipsApi(JsonErrors, APIView):
    roles = (Role.RISK,)
    renderer_classes = [CsvRenderer]
    # No OPTIONS: DRF would describe the view in a body only JSON can carry.
    http_method_names = ["get", "head"]

    @extend_schema(
        summary="The decisions whose outcome the candidate flips, as CSV",
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            **error_responses(404, examples=(SimulationNotFound(42),), beside="text/csv"),
        },
    )
    def get(self, request: Request, simulation_id: int) -> StreamingHttpResponse:
        simulation = get_simulation(simulation_id)
        response = StreamingHttpResponse(
            csv_lines(FLIP_COLUMNS, flips_of(simulation)), content_type="text/csv"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="simulation-{simulation.pk}-flips.csv"'
        )
        return response
