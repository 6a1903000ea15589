"""The officers' worklists: every loan (searched, filtered, by days past due), and the
collections list (the loans past due, most days first)."""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import clock
from core.contract import parse, respond
from core.pages import Pages
from core.schema import error_responses, query_parameters
from loans.collections import arrears_of, past_due
from loans.contracts import (
    A_PAGE,
    MOST_A_PAGE,
    ArrearsOutput,
    CollectionsPageOutput,
    CollectionsQuery,
    LoanRowOutput,
    LoansPageOutput,
    LoansQuery,
)
from loans.permissions import SERVICING
from loans.selectors import loan_view
from loans.worklist import LoanFilter, loan_list


class LoanPage(Pages):
    page_size = A_PAGE
    max_page_size = MOST_A_PAGE


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


class LoansApi(APIView):
    roles = SERVICING
    replica_reads = True

    @extend_schema(
        summary="Every loan: searched, filtered by status and bucket, by days past due",
        parameters=query_parameters(LoansQuery),
        responses={200: LoansPageOutput, **error_responses(400, 404)},
    )
    def get(self, request: Request) -> Response:
        query = parse(LoansQuery, request.query_params)
        today = clock.today()
        wanted = LoanFilter(
            q=query.q or "",
            status=query.status and str(query.status),
            bucket=query.bucket and str(query.bucket),
            sort=query.sort and str(query.sort),
        )
        paginator = LoanPage()
        loans = paginator.paginate_queryset(loan_list(wanted, today), request, view=self) or []
        rows = [LoanRowOutput.of(loan_view(loan, today)) for loan in loans]
        return respond(LoansPageOutput, paginator.answer(rows))
