"""The decision audit trail, read-only."""

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.schema import error_responses
from loans.api import ReasonOutput, ScoreBreakdownOutput, two_places
from loans.models import CreditDecision
from loans.selectors import customer_decisions, get_decision


class DecisionInputsOutput(serializers.Serializer[Any]):
    loan_amount = two_places()
    interest_rate = two_places()
    tenure = serializers.IntegerField()


class DecisionOutput(serializers.Serializer[Any]):
    decision_id = serializers.IntegerField(source="id")
    customer_id = serializers.IntegerField()
    kind = serializers.CharField()
    inputs = serializers.SerializerMethodField()
    as_of = serializers.DateField()
    approved = serializers.BooleanField()
    credit_score = serializers.IntegerField()
    score_breakdown = serializers.SerializerMethodField()
    rules = serializers.DictField(child=serializers.BooleanField())
    reasons = ReasonOutput(many=True)
    corrected_interest_rate = two_places()
    monthly_installment = two_places()
    policy_version = serializers.CharField()
    loan_id = serializers.IntegerField(allow_null=True)
    requested_by = serializers.CharField(help_text="The API key's fingerprint; empty when open.")
    created_at = serializers.DateTimeField()

    def get_inputs(self, record: CreditDecision) -> dict[str, Any]:
        return dict(DecisionInputsOutput(record).data)

    def get_score_breakdown(self, record: CreditDecision) -> dict[str, Any]:
        points = {factor: Decimal(value) for factor, value in record.score_breakdown.items()}
        return dict(ScoreBreakdownOutput(points).data)


class DecisionPageOutput(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = DecisionOutput(many=True)


class DecisionPage(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class CustomerDecisionsApi(APIView):
    @extend_schema(
        summary="A customer's credit decisions, newest first",
        parameters=[
            OpenApiParameter("page", int, description="Page number, from 1."),
            OpenApiParameter("page_size", int, description="Decisions a page: 20, at most 100."),
        ],
        responses={200: DecisionPageOutput, **error_responses(404)},
    )
    def get(self, request: Request, customer_id: int) -> Response:
        paginator = DecisionPage()
        page = paginator.paginate_queryset(customer_decisions(customer_id), request, view=self)
        return paginator.get_paginated_response(DecisionOutput(page, many=True).data)


class DecisionApi(APIView):
    @extend_schema(
        summary="One credit decision with its inputs, score, rules and reasons",
        responses={200: DecisionOutput, **error_responses(404)},
    )
    def get(self, request: Request, decision_id: int) -> Response:
        return Response(DecisionOutput(get_decision(decision_id)).data)
