"""The floor app's URLs: GET /floor answers {"status": "ok"} (the empty view), and one bare view
per hot endpoint that runs the project's statements for that request (bench/floor_statements.py)
through Django's PostgreSQL connection, committing as the project commits, and answers the rows
as JSON. What the project spends beyond these is its framework's share of a request.

Input it cannot use answers in the project's envelope instead of a 500: 400 for a body that is
no JSON object, a field missing or not a number, or a value out of its column's range (the
database's refusal, so the valid path runs no statement more); 404 for an unknown customer."""

import json
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DataError, IntegrityError, connection, transaction
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


class Refused(Exception):
    """A request the floor answers with an error: its status, code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


CENT = Decimal("0.01")


def _money(value: Any) -> Decimal:
    """A sum in paise, as the project stores it; ValueError for NaN, ArithmeticError for an
    infinite one or one of more digits than a Decimal holds."""
    amount = Decimal(str(value)).quantize(CENT)
    if amount.is_nan():
        raise ValueError(value)
    return amount


# The application's fields, each read as the statements bind it.
_FIELDS: dict[str, Callable[[Any], Any]] = {
    "customer_id": int,
    "loan_amount": _money,
    "interest_rate": _money,
    "tenure": int,
}


def _application(request: HttpRequest) -> dict[str, Any]:
    """The body's application with its numbers typed; Refused (400) for a body that is no
    JSON object, or a field missing or not a number."""
    try:
        body = json.loads(request.body)
    except ValueError as exc:  # not JSON, or not UTF-8
        raise Refused(400, "malformed_request", f"The body is not JSON: {exc}.") from None
    if not isinstance(body, dict):
        raise Refused(400, "malformed_request", "The body is not a JSON object.")
    application = {}
    for name, read in _FIELDS.items():
        if name not in body:
            raise Refused(400, "validation_error", f"{name}: required.")
        try:
            application[name] = read(body[name])
        except (TypeError, ValueError, ArithmeticError):
            raise Refused(400, "validation_error", f"{name}: a number is required.") from None
    return application


def _refusing(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
    """The view, with Refused and the database's refusal of a value (out of its column's range
    or its checks; the view's transaction rolled back) answered in the project's envelope."""

    @wraps(view)
    def answering(request: HttpRequest, *args: Any) -> JsonResponse:
        try:
            return view(request, *args)
        except Refused as refused:
            return _error(refused.status, refused.code, refused.message)
        except (DataError, IntegrityError) as exc:
            return _error(400, "validation_error", f"A value the database refuses: {exc}".strip())

    return answering


def _error(status: int, code: str, message: str) -> JsonResponse:
    return _answer({"error": {"code": code, "message": message, "fields": {}}}, status)


def _decide(kind: str, application: dict[str, Any]) -> JsonResponse:
    """The applicant's read and the audit row's INSERT: a refused decision's statements."""
    customer = application["customer_id"]
    applicant = _rows(statements.APPLICANT, (statements.ACTIVE_VERSION, customer))
    if not applicant:
        raise Refused(404, "customer_not_found", f"No customer {customer}.")
    version = applicant[0][0]
    recorded = _rows(
        statements.RECORD_DECISION, statements.decision_row(kind, application, version)
    )
    return _answer({"customer_id": customer, "approval": False, "decision_id": recorded[0][0]})


@require_POST
@_refusing
def check_eligibility(request: HttpRequest) -> JsonResponse:
    """Autocommit: the INSERT commits on its own, as the project's does."""
    return _decide("check_eligibility", _application(request))


@require_POST
@_refusing
def create_loan(request: HttpRequest) -> JsonResponse:
    """One transaction with the customer's row lock, as decisions.services.create_loan."""
    application = _application(request)
    with transaction.atomic(savepoint=False):
        _rows(statements.LOCK_CUSTOMER, (application["customer_id"],))
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
