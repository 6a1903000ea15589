from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import clock
from core.auth import client_of
from core.idempotency import idempotent
from core.metrics import record_decision
from core.money import to_paise
from core.schema import error_responses
from loans import schedule
from loans.models import LoanStatus
from loans.policy import LoanRequest
from loans.schedule import delinquency_bucket
from loans.selectors import (
    LoanHolder,
    LoanRow,
    customer_loans,
    get_loan_with_customer,
    installments_settled,
    status_on,
)
from loans.services import RecordedDecision, check_eligibility, create_loan

MAX_TENURE_MONTHS = 360
LARGEST_ID = 2**63 - 1


class LoanApplicationInput(serializers.Serializer[Any]):
    customer_id = serializers.IntegerField(min_value=1, max_value=LARGEST_ID)
    loan_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=None, max_value=None
    )
    interest_rate = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100
    )
    tenure = serializers.IntegerField(min_value=1, max_value=MAX_TENURE_MONTHS)

    def validate_loan_amount(self, value: Any) -> Any:
        if value <= 0:
            raise serializers.ValidationError("Must be greater than 0.")
        return value

    def to_loan_request(self) -> LoanRequest:
        values = self.validated_data
        return LoanRequest(
            amount=values["loan_amount"],
            interest_rate=values["interest_rate"],
            tenure=values["tenure"],
        )


# The serializer's own fields: the fast path below takes its limits from them.
_INPUT_FIELDS = LoanApplicationInput().fields


def _whole_number(value: Any, name: str) -> int | None:
    field: Any = _INPUT_FIELDS[name]
    return value if type(value) is int and field.min_value <= value <= field.max_value else None


def _cents(value: Any, name: str) -> Decimal | None:
    """A JSON number the field takes as it is: no more decimals than its places, fewer whole
    digits than it allows, within its bounds; quantized as DRF's DecimalField does (exactly, as
    nothing needs rounding)."""
    field: Any = _INPUT_FIELDS[name]
    if type(value) is int:
        number = Decimal(value)
    elif type(value) is Decimal and value.is_finite():
        number = value
    else:
        return None
    exponent = number.as_tuple().exponent
    whole_digits = field.max_digits - field.decimal_places
    if not isinstance(exponent, int) or -exponent > field.decimal_places:
        return None
    if abs(number) >= 10**whole_digits:
        return None
    if (field.min_value is not None and number < field.min_value) or (
        field.max_value is not None and number > field.max_value
    ):
        return None
    return number.quantize(Decimal(1).scaleb(-field.decimal_places))


def usual_application(data: Any) -> tuple[int, LoanRequest] | None:
    """A well-formed JSON application read without DRF: a serializer instance deep-copies
    its fields, ~150 µs per request. Anything unusual (text, floats, out of range, missing)
    returns None and goes through LoanApplicationInput, for its values or its field errors;
    a property test checks the two agree on whatever the fast path accepts."""
    if not isinstance(data, dict):
        return None
    customer_id = _whole_number(data.get("customer_id"), "customer_id")
    tenure = _whole_number(data.get("tenure"), "tenure")
    amount = _cents(data.get("loan_amount"), "loan_amount")
    rate = _cents(data.get("interest_rate"), "interest_rate")
    if customer_id is None or tenure is None or amount is None or rate is None:
        return None
    if amount <= 0:  # LoanApplicationInput.validate_loan_amount
        return None
    return customer_id, LoanRequest(amount=amount, interest_rate=rate, tenure=tenure)


def two_places(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=16, decimal_places=2, rounding=ROUND_HALF_UP, **kwargs
    )


class ReasonOutput(serializers.Serializer[Any]):
    code = serializers.CharField()
    message = serializers.CharField()


class ScoreBreakdownOutput(serializers.Serializer[Any]):
    """Points each factor earned; they add up to the score before it is rounded."""

    repayment_on_time = two_places()
    loans_taken = two_places()
    current_year_activity = two_places()
    approved_volume = two_places()


class EligibilityResponse(serializers.Serializer[Any]):
    """The check-eligibility body as documented; eligibility_body builds it (a serializer
    instance per request would cost more than the whole decision)."""

    customer_id = serializers.IntegerField()
    approval = serializers.BooleanField()
    interest_rate = two_places()
    corrected_interest_rate = two_places()
    tenure = serializers.IntegerField()
    monthly_installment = two_places()
    credit_score = serializers.IntegerField()
    score_breakdown = ScoreBreakdownOutput()
    reasons = ReasonOutput(many=True)
    decision_id = serializers.IntegerField(help_text="GET /decisions/{decision_id} shows it.")


class CreateLoanOutput(serializers.Serializer[Any]):
    loan_id = serializers.IntegerField(allow_null=True, help_text="Null when not approved.")
    customer_id = serializers.IntegerField()
    loan_approved = serializers.BooleanField()
    message = serializers.CharField()
    monthly_installment = two_places()
    decision_id = serializers.IntegerField(help_text="GET /decisions/{decision_id} shows it.")


APPLICATION_EXAMPLE = OpenApiExample(
    "application",
    request_only=True,
    value={"customer_id": 1, "loan_amount": 200000, "interest_rate": 10.5, "tenure": 24},
)


def eligibility_body(customer_id: int, recorded: RecordedDecision) -> dict[str, Any]:
    decision = recorded.decision
    return {
        "customer_id": customer_id,
        "approval": decision.approved,
        "interest_rate": to_paise(decision.request.interest_rate),
        "corrected_interest_rate": to_paise(decision.corrected_interest_rate),
        "tenure": decision.request.tenure,
        "monthly_installment": to_paise(decision.monthly_installment),
        "credit_score": decision.credit.score,
        "score_breakdown": {
            str(factor): to_paise(points) for factor, points in decision.credit.points.items()
        },
        "reasons": [reason.as_dict() for reason in decision.reasons],
        "decision_id": recorded.decision_id,
    }


def decide_application(
    request: Request, service: Callable[..., RecordedDecision]
) -> tuple[int, RecordedDecision]:
    """The part check-eligibility and create-loan share: validate, decide, count the outcome."""
    usual = usual_application(request.data)
    if usual is None:
        application = LoanApplicationInput(data=request.data)
        application.is_valid(raise_exception=True)
        usual = application.validated_data["customer_id"], application.to_loan_request()
    customer_id, loan_request = usual
    recorded = service(
        customer_id,
        loan_request,
        as_of=clock.today(),
        requested_by=client_of(request) or "",
    )
    decision = recorded.decision
    record_decision(
        "approved" if decision.approved else "rejected", [r.code for r in decision.reasons]
    )
    return customer_id, recorded


class CheckEligibilityApi(APIView):
    @extend_schema(
        summary="Decide a loan application without booking it",
        request=LoanApplicationInput,
        responses={200: EligibilityResponse, **error_responses(400, 404)},
        examples=[
            APPLICATION_EXAMPLE,
            OpenApiExample(
                "approved",
                response_only=True,
                status_codes=["200"],
                value={
                    "customer_id": 1,
                    "approval": True,
                    "interest_rate": 10.50,
                    "corrected_interest_rate": 12.00,
                    "tenure": 24,
                    "monthly_installment": 9414.69,
                    "credit_score": 42,
                    "score_breakdown": {
                        "repayment_on_time": 30.00,
                        "loans_taken": 4.00,
                        "current_year_activity": 0.00,
                        "approved_volume": 8.00,
                    },
                    "reasons": [],
                    "decision_id": 5120,
                },
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        customer_id, recorded = decide_application(request, check_eligibility)
        return Response(eligibility_body(customer_id, recorded))


class CreateLoanApi(APIView):
    @extend_schema(
        summary="Decide a loan application and book it when approved",
        request=LoanApplicationInput,
        responses={
            201: CreateLoanOutput,
            200: CreateLoanOutput(help_text="Not approved: nothing booked."),
            **error_responses(400, 404, 409, 422),
        },
        examples=[
            APPLICATION_EXAMPLE,
            OpenApiExample(
                "booked",
                response_only=True,
                status_codes=["201"],
                value={
                    "loan_id": 783,
                    "customer_id": 1,
                    "loan_approved": True,
                    "message": "Loan approved.",
                    "monthly_installment": 9414.69,
                    "decision_id": 5121,
                },
            ),
        ],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        customer_id, booking = decide_application(request, create_loan)
        decision = booking.decision
        if booking.loan_id is None:
            message = "Loan not approved: " + " ".join(r.message for r in decision.reasons)
        else:
            message = "Loan approved."
        return Response(
            {
                "loan_id": booking.loan_id,
                "customer_id": customer_id,
                "loan_approved": decision.approved,
                "message": message,
                "monthly_installment": decision.monthly_installment,
                "decision_id": booking.decision_id,
            },
            status=status.HTTP_201_CREATED if booking.loan_id else status.HTTP_200_OK,
        )


class LoanCustomerOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    phone_number = serializers.IntegerField()
    age = serializers.IntegerField()


class LoanSummaryOutput(serializers.Serializer[Any]):
    """A loan in view-loans, as documented; loan_summary builds it."""

    loan_id = serializers.IntegerField()
    loan_amount = two_places()
    interest_rate = two_places()
    monthly_installment = two_places()
    tenure = serializers.IntegerField()
    repayments_left = serializers.IntegerField()
    status = serializers.ChoiceField(choices=LoanStatus.choices)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    days_past_due = serializers.IntegerField()
    delinquency_bucket = serializers.CharField(
        help_text="current, SMA-0 (1-30 days), SMA-1 (31-60), SMA-2 (61-90) or NPA (over 90)."
    )


class LoanDetailOutput(LoanSummaryOutput):
    """view-loan's body, as documented; loan_detail builds it."""

    customer = LoanCustomerOutput()


def loan_summary(loan: LoanRow, as_of: date) -> dict[str, Any]:
    settled = installments_settled(loan, as_of)
    overdue_days = schedule.days_past_due(loan.start_date, loan.tenure, settled, as_of)
    return {
        "loan_id": loan.id,
        "loan_amount": to_paise(loan.loan_amount),
        "interest_rate": to_paise(loan.interest_rate),
        "monthly_installment": to_paise(loan.monthly_installment),
        "tenure": loan.tenure,
        "repayments_left": loan.tenure - settled,
        "status": str(status_on(loan, as_of)),
        "start_date": loan.start_date.isoformat(),
        "end_date": loan.end_date.isoformat(),
        "days_past_due": overdue_days,
        "delinquency_bucket": delinquency_bucket(overdue_days),
    }


def loan_detail(loan: LoanRow, holder: LoanHolder, as_of: date) -> dict[str, Any]:
    return {
        **loan_summary(loan, as_of),
        "customer": {
            "id": holder.id,
            "first_name": holder.first_name,
            "last_name": holder.last_name,
            "phone_number": holder.phone_number,
            "age": holder.age,
        },
    }


class ViewLoanApi(APIView):
    @extend_schema(
        summary="One loan with its customer",
        responses={200: LoanDetailOutput, **error_responses(404)},
    )
    def get(self, request: Request, loan_id: int) -> Response:
        loan, holder = get_loan_with_customer(loan_id)
        return Response(loan_detail(loan, holder, clock.today()))


class ViewLoansQuery(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=[s.value for s in LoanStatus], required=False)


class ViewCustomerLoansApi(APIView):
    @extend_schema(
        summary="A customer's loans, oldest first",
        parameters=[ViewLoansQuery],
        responses={200: LoanSummaryOutput(many=True), **error_responses(400, 404)},
    )
    def get(self, request: Request, customer_id: int) -> Response:
        query = ViewLoansQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        as_of = clock.today()
        loans = customer_loans(customer_id, as_of=as_of, status=query.validated_data.get("status"))
        return Response([loan_summary(loan, as_of) for loan in loans])
