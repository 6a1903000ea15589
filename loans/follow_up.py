"""An officer's follow-up on a loan as the pages and endpoints read it: the notes, the promises
to pay with whether each was kept (credit.promises), and both together newest first — a loan's,
a customer's loans', or the last one of each loan on a worklist's page, one statement each."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    DateField,
    DecimalField,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
)

from credit.money import MONEY_PLACES
from credit.promises import Paid, PromiseState, paid_towards, promise_state
from loans.errors import LoanNotFound
from loans.models import PROMISE_DIGITS, Loan, LoanNote, Payment, PaymentPromise


def require_loan(loan_id: int) -> None:
    if not Loan.objects.filter(pk=loan_id).exists():
        raise LoanNotFound(loan_id)


def notes_of(loan_id: int) -> QuerySet[LoanNote]:
    """The loan's notes, newest first; LoanNotFound when there is no such loan."""
    require_loan(loan_id)
    return LoanNote.objects.filter(loan_id=loan_id).order_by("-created_at", "-id")


def promises_of(loan_id: int) -> QuerySet[PaymentPromise]:
    """The loan's promises, newest first; LoanNotFound when there is no such loan."""
    require_loan(loan_id)
    return PaymentPromise.objects.filter(loan_id=loan_id).order_by("-created_at", "-id")


@dataclass(frozen=True, slots=True)
class PromiseView:
    """A promise with what was paid towards it and where it stands."""

    promise_id: int
    loan_id: int
    promised_on: date
    promised_amount: Decimal
    made_on: date
    made_by: str
    made_at: datetime
    paid_towards: Decimal
    state: PromiseState


def _payments_towards(promises: Sequence[PaymentPromise]) -> dict[int, list[Paid]]:
    """The live payments that may count towards `promises`, by loan: one query."""
    if not promises:
        return {}
    window = Payment.objects.live().filter(
        loan_id__in={promise.loan_id for promise in promises},
        paid_on__gte=min(promise.made_on for promise in promises),
        paid_on__lte=max(promise.promised_on for promise in promises),
    )
    paid: dict[int, list[Paid]] = {}
    for loan_id, paid_on, amount in window.values_list("loan_id", "paid_on", "amount"):
        paid.setdefault(loan_id, []).append(Paid(paid_on, amount))
    return paid


def promise_views(promises: Sequence[PaymentPromise], as_of: date) -> list[PromiseView]:
    """Each promise with its state on `as_of`, reading the payments once."""
    paid = _payments_towards(promises)

    def view(promise: PaymentPromise) -> PromiseView:
        payments = paid.get(promise.loan_id, [])
        return PromiseView(
            promise_id=promise.pk,
            loan_id=promise.loan_id,
            promised_on=promise.promised_on,
            promised_amount=promise.promised_amount,
            made_on=promise.made_on,
            made_by=promise.made_by,
            made_at=promise.created_at,
            paid_towards=paid_towards(promise.made_on, promise.promised_on, payments),
            state=promise_state(
                made_on=promise.made_on,
                promised_on=promise.promised_on,
                promised_amount=promise.promised_amount,
                payments=payments,
                as_of=as_of,
            ),
        )

    return [view(promise) for promise in promises]


# --- Notes and promises together -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A note, or a promise (its `promise` set, its `note` empty), as the pages list them."""

    loan_id: int
    written_at: datetime
    written_by: str
    note: str
    promise: PromiseView | None


_NO_DATE = Value(None, output_field=DateField())
_NO_AMOUNT = Value(
    None, output_field=DecimalField(max_digits=PROMISE_DIGITS, decimal_places=MONEY_PLACES)
)
_ROW = (
    "entry_id",
    "entry_loan",
    "entry_at",
    "entry_by",
    "entry_text",
    "entry_on",
    "entry_amount",
    "entry_made_on",
)


def _rows(entries: QuerySet[Any], **columns: Any) -> QuerySet[Any]:
    """Notes or promises as rows of one shape (_ROW), for the UNION of the two."""
    common = {"entry_id": F("id"), "entry_loan": F("loan_id"), "entry_at": F("created_at")}
    named = {f"entry_{name}": column for name, column in columns.items()}
    rows: QuerySet[Any] = entries.order_by().annotate(**common, **named).values_list(*_ROW)
    return rows


def _note_rows(notes: QuerySet[LoanNote]) -> QuerySet[Any]:
    return _rows(
        notes, by=F("written_by"), text=F("text"), on=_NO_DATE, amount=_NO_AMOUNT, made_on=_NO_DATE
    )


def _promise_rows(promises: QuerySet[PaymentPromise]) -> QuerySet[Any]:
    no_text = Value("", output_field=TextField())
    return _rows(
        promises,
        by=F("made_by"),
        text=no_text,
        on=F("promised_on"),
        amount=F("promised_amount"),
        made_on=F("made_on"),
    )


def _follow_ups(rows: Iterable[tuple[Any, ...]], as_of: date) -> list[FollowUp]:
    """The union's rows as FollowUps, the promises' states read with one query."""
    rows = list(rows)
    promises = [
        PaymentPromise(
            pk=entry_id,
            loan_id=loan_id,
            created_at=at,
            made_by=by,
            promised_on=on,
            promised_amount=amount,
            made_on=made_on,
        )
        for entry_id, loan_id, at, by, _, on, amount, made_on in rows
        if on is not None
    ]
    views = iter(promise_views(promises, as_of))
    return [
        FollowUp(
            loan_id=loan_id,
            written_at=at,
            written_by=by,
            note=text,
            promise=next(views) if on is not None else None,
        )
        for _, loan_id, at, by, text, on, *_ in rows
    ]


def _newest_first(
    notes: QuerySet[LoanNote], promises: QuerySet[PaymentPromise], limit: int
) -> QuerySet[Any]:
    both = _note_rows(notes).union(_promise_rows(promises), all=True)
    return both.order_by("-entry_at", "-entry_id")[:limit]


def loan_follow_ups(loan_id: int, as_of: date, limit: int) -> list[FollowUp]:
    """The loan's newest notes and promises, at most `limit`: two queries."""
    notes = LoanNote.objects.filter(loan_id=loan_id)
    promises = PaymentPromise.objects.filter(loan_id=loan_id)
    return _follow_ups(_newest_first(notes, promises, limit), as_of)


def customer_follow_ups(customer_id: int, as_of: date, limit: int) -> list[FollowUp]:
    """The newest notes and promises of all the customer's loans, at most `limit`."""
    notes = LoanNote.objects.filter(loan__customer_id=customer_id)
    promises = PaymentPromise.objects.filter(loan__customer_id=customer_id)
    return _follow_ups(_newest_first(notes, promises, limit), as_of)


def _latest_of_its_loan(model: type[LoanNote] | type[PaymentPromise]) -> Subquery:
    newest = model.objects.filter(loan_id=OuterRef("loan_id")).order_by("-created_at", "-id")
    return Subquery(newest.values("id")[:1])


def last_follow_ups(loan_ids: Sequence[int], as_of: date) -> dict[int, FollowUp]:
    """Each loan's last note or promise (a worklist's page): one statement for the notes and
    promises, one for the payments towards the promises among them."""
    notes = LoanNote.objects.filter(loan_id__in=loan_ids, id=_latest_of_its_loan(LoanNote))
    promises = PaymentPromise.objects.filter(
        loan_id__in=loan_ids, id=_latest_of_its_loan(PaymentPromise)
    )
    last: dict[int, FollowUp] = {}
    for follow_up in _follow_ups(_newest_first(notes, promises, 2 * len(loan_ids)), as_of):
        last.setdefault(follow_up.loan_id, follow_up)
    return last
