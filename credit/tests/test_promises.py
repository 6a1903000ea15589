"""A promise to pay: kept, pending or broken, to the paisa and the day."""

from datetime import date
from decimal import Decimal

import pytest

from credit.promises import Paid, PromiseState, paid_towards, promise_state

MADE, BY = date(2026, 9, 1), date(2026, 9, 10)


def state(payments, as_of, amount="5000.00"):
    return promise_state(
        made_on=MADE,
        promised_on=BY,
        promised_amount=Decimal(amount),
        payments=payments,
        as_of=as_of,
    )


def test_only_the_payments_from_the_day_it_was_made_to_its_date_count():
    payments = [
        Paid(date(2026, 8, 31), Decimal("900.00")),  # before the promise
        Paid(MADE, Decimal("2000.00")),
        Paid(BY, Decimal("2999.99")),
        Paid(date(2026, 9, 11), Decimal("700.00")),  # after its date
    ]
    assert paid_towards(MADE, BY, payments) == Decimal("4999.99")


@pytest.mark.parametrize(
    ("payments", "as_of", "expected"),
    [
        ([], BY, PromiseState.PENDING),  # its day has not passed yet
        ([Paid(date(2026, 9, 5), Decimal("4999.99"))], BY, PromiseState.PENDING),
        ([Paid(date(2026, 9, 5), Decimal("4999.99"))], date(2026, 9, 11), PromiseState.BROKEN),
        ([Paid(date(2026, 9, 5), Decimal("5000.00"))], date(2026, 9, 5), PromiseState.KEPT),
        (
            [Paid(date(2026, 9, 2), Decimal("2500.00")), Paid(BY, Decimal("2500.00"))],
            date(2026, 12, 1),
            PromiseState.KEPT,
        ),
        # Paid the day after its date: late, the promise stays broken.
        ([Paid(date(2026, 9, 11), Decimal("5000.00"))], date(2026, 9, 11), PromiseState.BROKEN),
        # Paid before the promise was made: it paid something else.
        ([Paid(date(2026, 8, 31), Decimal("5000.00"))], date(2026, 9, 11), PromiseState.BROKEN),
    ],
)
def test_kept_pending_and_broken(payments, as_of, expected):
    assert state(payments, as_of) == expected
