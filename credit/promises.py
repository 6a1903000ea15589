"""Whether a promise to pay was kept: the one rule, written once.

A promise is *kept* once the payments made from the day it was made up to its date (live ones:
a reversed payment brought nothing) add up to the promised amount; *broken* when its date has
passed and they add up to less; *pending* until then. A payment after the promised date does
not keep a broken promise: it was late, and the record says so.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class PromiseState(StrEnum):
    PENDING = "pending"
    KEPT = "kept"
    BROKEN = "broken"


@dataclass(frozen=True, slots=True)
class Paid:
    """A live payment as the rule reads it."""

    paid_on: date
    amount: Decimal


def paid_towards(made_on: date, promised_on: date, payments: Iterable[Paid]) -> Decimal:
    """What the payments from `made_on` to `promised_on`, both days included, brought."""
    return sum(
        (payment.amount for payment in payments if made_on <= payment.paid_on <= promised_on),
        Decimal(0),
    )


def promise_state(
    *,
    made_on: date,
    promised_on: date,
    promised_amount: Decimal,
    payments: Iterable[Paid],
    as_of: date,
) -> PromiseState:
    if paid_towards(made_on, promised_on, payments) >= promised_amount:
        return PromiseState.KEPT
    if as_of > promised_on:
        return PromiseState.BROKEN
    return PromiseState.PENDING
