"""The floor app's URLs: GET /floor answers {"status": "ok"} (the empty view), and one bare view
per hot endpoint that runs the project's statements for that request (bench/floor_statements.py)
through Django's PostgreSQL connection, committing as the project commits, and answers the rows
as JSON. What the project spends beyond these is its framework's share of a request."""

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from bench import floor_statements as statements


def floor(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _rows(statement: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


def _answer(payload: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(payload, status=status, safe=False, encoder=DjangoJSONEncoder)


def _decide(kind: str, application: dict[str, Any]) -> JsonResponse:
    """The applicant's read and the audit row's INSERT: a refused decision's statements."""
    customer = int(application["customer_id"])
    applicant = _rows(statements.APPLICANT, (statements.ACTIVE_VERSION, customer))
    version = applicant[0][0]
    recorded = _rows(
        statements.RECORD_DECISION, statements.decision_row(kind, application, version)
    )
    return _answer({"customer_id": customer, "approval": False, "decision_id": recorded[0][0]})


@require_POST
def check_eligibility(request: HttpRequest) -> JsonResponse:
    """Autocommit: the INSERT commits on its own, as the project's does."""
    return _decide("check_eligibility", json.loads(request.body))


@require_POST
def create_loan(request: HttpRequest) -> JsonResponse:
    """One transaction with the customer's row lock, as decisions.services.create_loan."""
    application = json.loads(request.body)
    with transaction.atomic(savepoint=False):
        _rows(statements.LOCK_CUSTOMER, (int(application["customer_id"]),))
        return _decide("create_loan", application)


@require_GET
def view_loan(request: HttpRequest, loan_id: int) -> JsonResponse:
    return _answer(_rows(statements.LOAN_WITH_HOLDER, (loan_id,)))


@require_GET
def view_loans(request: HttpRequest, customer_id: int) -> JsonResponse:
    return _answer(_rows(statements.CUSTOMER_LOANS, (customer_id,)))


urlpatterns = [
    path("floor", floor),
    path("check-eligibility", check_eligibility),
    path("create-loan", create_loan),
    path("view-loan/<int:loan_id>", view_loan),
    path("view-loans/<int:customer_id>", view_loans),
]
