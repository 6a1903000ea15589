"""The original loan endpoints: check-eligibility, create-loan, view-loan, view-loans."""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import clock
from core.contract import parse, respond
from core.schema import error_responses, query_parameters
from customers.errors import CustomerNotFound
from loans.contracts import LoanDetailOutput, LoanSummaries, ViewLoansQuery
from loans.errors import LoanNotFound
from loans.permissions import SERVICING
from loans.selectors import customer_loans, loan_with_holder


class ViewLoanApi(APIView):
    roles = SERVICING
    replica_reads = True  # its GET may read a replica (core.replica)

    @extend_schema(
        summary="One loan with its customer",
        responses={200: LoanDetailOutput, **error_responses(404, examples=(LoanNotFound(42),))},
    )
    def get(self, request: Request, loan_id: int) -> Response:
        return respond(LoanDetailOutput, loan_with_holder(loan_id, clock.today()))


class ViewCustomerLoansApi(APIView):
    roles = SERVICING
    replica_reads = True  # its GET may read a replica (core.replica)

    @extend_schema(
        summary="A customer's loans, oldest first",
        parameters=query_parameters(ViewLoansQuery),
        responses={
            200: LoanSummaries,
            **error_responses(400, 404, examples=(CustomerNotFound(42),)),
        },
    )
    def get(self, request: Request, customer_id: int) -> Response:
        query = parse(ViewLoansQuery, request.query_params)
        loans = customer_loans(customer_id, as_of=clock.today(), status=query.status)
        return respond(LoanSummaries, loans)
