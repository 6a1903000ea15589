"""The officers' worklists: the collections list (the loans past due, most days first)."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import clock
from core.contract import parse, respond
from core.schema import error_responses, query_parameters
from loans.collections import arrears_of, past_due
from loans.contracts import (
    A_PAGE,
    MOST_A_PAGE,
    ArrearsOutput,
    CollectionsPageOutput,
    CollectionsQuery,
)
from loans.permissions import SERVICING


class LoanPage(PageNumberPagination):
    page_size = A_PAGE
    page_size_query_param = "page_size"
    max_page_size = MOST_A_PAGE

    def answer(self, results: list[Any]) -> dict[str, Any]:
        return {
            "count": self.page.paginator.count if self.page else 0,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": results,
        }


class CollectionsApi(APIView):
    roles = SERVICING
    replica_reads = True  # its GET may read a replica (core.replica)

    @extend_schema(
        summary="The loans past due, most days past due first, with the amount overdue",
        parameters=query_parameters(CollectionsQuery),
        responses={200: CollectionsPageOutput, **error_responses(400, 404)},
    )
    def get(self, request: Request) -> Response:
        query = parse(CollectionsQuery, request.query_params)
        today = clock.today()
        paginator = LoanPage()
        bucket = str(query.bucket) if query.bucket else None
        loans = paginator.paginate_queryset(past_due(today, bucket), request, view=self) or []
        rows = [ArrearsOutput.of(row) for row in arrears_of(loans, today)]
        return respond(CollectionsPageOutput, paginator.answer(rows))
