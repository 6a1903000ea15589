from django.http import StreamingHttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import JsonErrors
from core.auth import who_asked
from core.contract import parse, respond
from core.csv import csv_lines
from core.errors import INVALID_FIELDS, UnprocessableError
from core.schema import error_responses
from decisions.contracts import SimulationAccepted, SimulationInput, SimulationOutput
from decisions.errors import SimulationNotFound
from decisions.permissions import SIMULATIONS
from decisions.simulations import FLIP_COLUMNS, flips_of, get_simulation, start_simulation
from policies.errors import PolicyNotFound

# A rule between two fields no schema can state: 422 (core.contract.BETWEEN_FIELDS).
REVERSED_WINDOW = UnprocessableError(
    INVALID_FIELDS, {"to": ["Must not be before from (2026-06-16)."]}
)


class SimulationsApi(APIView):
    roles = SIMULATIONS

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
    roles = SIMULATIONS

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
    roles = SIMULATIONS
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
