"""What the loan endpoints and the console's loan pages take and answer: a loan and its
standing, its schedule, a payment, a payoff quote."""

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import Field, RootModel, StringConstraints, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from core.contract import (
    BETWEEN_FIELDS,
    Amount,
    CalendarDate,
    Day,
    Declaration,
    Money,
    Text,
    Timestamp,
    WholeNumber,
)
from core.limits import LARGEST_ID
from core.pages import page_of
from credit.limits import INSTALLMENT_DIGITS
from credit.promises import PromiseState
from credit.schedule import InstallmentStatus
from credit.standing import standing_on
from loans.models import (
    NOTE_LENGTH,
    PROMISE_DIGITS,
    REFERENCE_LENGTH,
    REFERENCE_OPTIONAL,
    REVERSAL_REASON_LENGTH,
    LoanNote,
    LoanStatus,
    Payment,
    PaymentMode,
)


class LoanCustomerOutput(Declaration):
    id: int
    first_name: str
    last_name: str
    phone_number: int
    age: int


class LoanSummaryOutput(Declaration):
    """A loan in view-loans."""

    loan_id: int
    loan_amount: Money
    interest_rate: Money
    monthly_installment: Money
    tenure: int
    repayments_left: int
    status: LoanStatus
    start_date: Day
    end_date: Day
    days_past_due: int
    delinquency_bucket: str = Field(
        description="current, SMA-0 (1-30 days), SMA-1 (31-60), SMA-2 (61-90) or NPA (over 90)."
    )


class LoanSummaries(RootModel[list[LoanSummaryOutput]]):
    pass


class LoanDetailOutput(LoanSummaryOutput):
    """view-loan's body."""

    customer: LoanCustomerOutput


class ViewLoansQuery(Declaration):
    status: LoanStatus | None = None


class InstallmentOutput(Declaration):
    number: int
    due_date: Day
    amount: Money
    interest: Money
    principal: Money
    balance: Money
    status: InstallmentStatus
    paid_on: Day | None = Field(
        description="Null while unpaid, and for loans from the history files."
    )


class ScheduleOutput(Declaration):
    loan_id: int
    days_past_due: int
    delinquency_bucket: str
    installments: list[InstallmentOutput]


# A UTR, a cheque number, a mandate id: letters, digits and the separators banks print.
Reference = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_upper=True,
        min_length=1,
        max_length=REFERENCE_LENGTH,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9/-]*$",
    ),
]


class PaymentInput(Declaration):
    amount: Annotated[Decimal, Amount(INSTALLMENT_DIGITS, gt=0)]
    paid_on: CalendarDate | None = Field(default=None, description="Defaults to today.")
    mode: PaymentMode | None = Field(
        default=None, description="How the money came; optional for clients that send none."
    )
    reference: Reference | None = Field(
        default=None,
        description="The UTR, cheque number or mandate id: required for every mode but cash, "
        "refused without a mode, unique per mode among payments not reversed (else 409). "
        "Kept in capitals.",
    )

    @model_validator(mode="after")
    def _reference_fits_the_mode(self) -> Self:
        problem = reference_problem(self.mode, self.reference)
        if problem is not None:
            raise ValidationError.from_exception_data(
                type(self).__name__,
                [
                    InitErrorDetails(
                        # A rule no schema can state: 422 (core.contract).
                        type=PydanticCustomError(BETWEEN_FIELDS, problem),
                        loc=("reference",),
                        input=self.reference or "",
                    )
                ],
            )
        return self


def reference_problem(mode: str | None, reference: str | None) -> str | None:
    """Why a reference does not fit its mode: missing where the rail gives one, or given
    without the rail it belongs to. A blank is none, as the table stores none, so that this
    and the table's constraints are one rule (loans/tests/test_payments.py holds them equal)."""
    if not reference and mode not in (None, *REFERENCE_OPTIONAL):
        return f"Required for a {mode} payment."
    if reference and not mode:
        return "Give the mode this reference belongs to."
    return None


class PaymentEntryOutput(Declaration):
    """A payment as the loan's record keeps it, reversed or not."""

    payment_id: int
    loan_id: int
    amount: Money
    paid_on: Day
    mode: PaymentMode | None = Field(description="Null when the client gave none.")
    reference: str | None
    recorded_by: str = Field(
        description="A key's name (or its fingerprint), a username; empty when open."
    )
    recorded_at: Timestamp
    settles_loan: bool = Field(description="It paid the payoff quote and closed the loan.")
    reversed: bool
    reversed_at: Timestamp | None
    reversed_by: str
    reversal_reason: str

    @classmethod
    def entry(cls, payment: Payment) -> dict[str, Any]:
        return {
            "payment_id": payment.pk,
            "loan_id": payment.loan_id,
            "amount": payment.amount,
            "paid_on": payment.paid_on,
            "mode": payment.mode or None,
            "reference": payment.reference or None,
            "recorded_by": payment.recorded_by,
            "recorded_at": payment.created_at,
            "settles_loan": payment.settles_loan,
            "reversed": payment.reversed_at is not None,
            "reversed_at": payment.reversed_at,
            "reversed_by": payment.reversed_by,
            "reversal_reason": payment.reversal_reason,
        }

    @classmethod
    def of_each(cls, payments: list[Payment]) -> list["PaymentEntryOutput"]:
        return [cls(**cls.entry(payment)) for payment in payments]


class PaymentEntries(RootModel[list[PaymentEntryOutput]]):
    pass


class PaymentOutput(PaymentEntryOutput):
    """A payment just recorded or reversed, with where its loan stands after it."""

    repayments_left: int
    loan_status: LoanStatus

    @classmethod
    def of(cls, payment: Payment, today: date) -> "PaymentOutput":
        where = standing_on(payment.loan, today)
        return cls(
            **cls.entry(payment),
            repayments_left=where.repayments_left,
            loan_status=LoanStatus(where.status),
        )


class ReversalInput(Declaration):
    reason: Annotated[str, Text(REVERSAL_REASON_LENGTH)]


class PayoffQuery(Declaration):
    on: CalendarDate | None = Field(default=None, description="Defaults to today.")


class PayoffOutput(Declaration):
    loan_id: int
    on: Day
    outstanding_principal: Money
    accrued_interest: Money
    total: Money = Field(description="Paying this on that date closes the loan.")


# --- Worklists ------------------------------------------------------------------------------

A_PAGE, MOST_A_PAGE = 20, 100


class LateBucket(StrEnum):
    """credit.standing.LATE_BUCKETS, for the schema (a test holds the two equal)."""

    SMA_0 = "SMA-0"
    SMA_1 = "SMA-1"
    SMA_2 = "SMA-2"
    NPA = "NPA"


class PageQuery(Declaration):
    """What the paginator reads, declared as the decisions list declares it."""

    page: Annotated[int, WholeNumber(1, LARGEST_ID)] = Field(
        default=1, description="Page number, from 1; past the last page, 404."
    )
    page_size: Annotated[int, WholeNumber(1, MOST_A_PAGE)] = Field(
        default=A_PAGE, description="Loans a page: 20, at most 100."
    )


class CollectionsQuery(PageQuery):
    bucket: LateBucket | None = Field(default=None, description="Only the loans in this bucket.")


class ArrearsOutput(LoanSummaryOutput):
    """A loan past due in the collections worklist."""

    customer: LoanCustomerOutput
    amount_overdue: Money = Field(
        description="The installments due before today and unpaid, less partial payments."
    )

    @classmethod
    def of(cls, arrears: Any) -> "ArrearsOutput":
        return cls.model_validate(
            {**vars_of(arrears.loan), "amount_overdue": arrears.amount_overdue}
        )


def vars_of(view: Any) -> dict[str, Any]:
    """A slotted read model's fields as a dict."""
    return {name: getattr(view, name) for name in view.__dataclass_fields__}


CollectionsPageOutput = page_of(ArrearsOutput, "CollectionsPageOutput")


class ShownBucket(StrEnum):
    """loans.standing.SHOWN_BUCKETS, for the schema (a test holds the two equal)."""

    CURRENT = "current"
    SMA_0 = "SMA-0"
    SMA_1 = "SMA-1"
    SMA_2 = "SMA-2"
    NPA = "NPA"
    CLOSED = "closed"


class LoanSort(StrEnum):
    MOST_DAYS_PAST_DUE_FIRST = "-days_past_due"
    FEWEST_DAYS_PAST_DUE_FIRST = "days_past_due"


SEARCH_LENGTH = 100


class LoansQuery(PageQuery):
    q: Annotated[str, Text(SEARCH_LENGTH)] | None = Field(
        default=None,
        description="A loan number, or any part of the customer's name or phone number as "
        'typed ("98450", "+91 98450 12345", "7 12"); every word must match.',
    )
    status: LoanStatus | None = Field(default=None, description="Active or closed today.")
    bucket: ShownBucket | None = Field(
        default=None, description="As the console shows it: a closed loan not late is `closed`."
    )
    sort: LoanSort | None = Field(
        default=None,
        description="By days past due (`-days_past_due`: most first), ties by loan number; "
        "newest loan first when not given.",
    )


class LoanRowOutput(LoanSummaryOutput):
    """A loan in the loans worklist."""

    customer: LoanCustomerOutput
    bucket: ShownBucket = Field(
        description="The delinquency bucket, or `closed` for a closed loan not past due."
    )

    @classmethod
    def of(cls, view: Any) -> "LoanRowOutput":
        return cls.model_validate({**vars_of(view), "bucket": view.bucket_shown})


LoansPageOutput = page_of(LoanRowOutput, "LoansPageOutput")


# --- Notes and promises to pay ----------------------------------------------------------------


class NoteInput(Declaration):
    text: Annotated[str, Text(NOTE_LENGTH)] = Field(description="What was said or done.")


class NoteOutput(Declaration):
    note_id: int
    loan_id: int
    text: str
    written_by: str = Field(description="A key's name (or its fingerprint), a username.")
    written_at: Timestamp

    @classmethod
    def of(cls, note: LoanNote) -> "NoteOutput":
        return cls(
            note_id=note.pk,
            loan_id=note.loan_id,
            text=note.text,
            written_by=note.written_by,
            written_at=note.created_at,
        )


NotesPageOutput = page_of(NoteOutput, "NotesPageOutput")


class PromiseInput(Declaration):
    promised_on: CalendarDate = Field(description="Today or later: the day it will be paid by.")
    promised_amount: Annotated[Decimal, Amount(PROMISE_DIGITS, gt=0)]


class PromiseOutput(Declaration):
    promise_id: int
    loan_id: int
    promised_on: Day
    promised_amount: Money
    made_on: Day = Field(description="Payments from this day to promised_on count towards it.")
    made_by: str
    made_at: Timestamp
    paid_towards: Money = Field(
        description="What the live payments from made_on to promised_on brought."
    )
    state: PromiseState = Field(
        description="kept once paid_towards reaches the amount; broken when the date has "
        "passed short of it; pending until then."
    )

    @classmethod
    def of(cls, promise: Any) -> "PromiseOutput":
        """From loans.follow_up.PromiseView."""
        return cls.model_validate(vars_of(promise))


PromisesPageOutput = page_of(PromiseOutput, "PromisesPageOutput")
