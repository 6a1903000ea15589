"""Repayment schedules, payments against them, payoff quotes and delinquency.

Free of Django on purpose: the API, the payment service and the property tests share it.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from credit.dates import add_months
from credit.emi import monthly_rate
from credit.money import to_paise


@dataclass(frozen=True)
class Installment:
    number: int
    due_date: date
    amount: Decimal
    interest: Decimal
    principal: Decimal
    balance: Decimal


def amortize(
    amount: Decimal, annual_rate: Decimal, tenure: int, installment: Decimal, start: date
) -> tuple[Installment, ...]:
    """Each period's interest is the previous balance × r, to the paisa; the rest of the EMI is
    principal. The last installment takes whatever balance is left, so it ends at 0.00.

    The paise rounding drifts and compounds at the loan's rate: for ordinary loans the last
    installment differs from the EMI by a few paise, but at extreme rates over long tenures on
    small amounts it can differ by much more (docs/servicing.md gives the bound)."""
    rate = monthly_rate(annual_rate)
    balance = amount
    rows = []
    for number in range(1, tenure + 1):
        interest = to_paise(balance * rate)
        principal = balance if number == tenure else installment - interest
        balance -= principal
        rows.append(
            Installment(
                number=number,
                due_date=add_months(start, number),
                amount=principal + interest,
                interest=interest,
                principal=principal,
                balance=balance,
            )
        )
    return tuple(rows)


@dataclass(frozen=True)
class PaymentRecord:
    amount: Decimal
    paid_on: date
    settles_loan: bool = False


@dataclass(frozen=True)
class Servicing:
    """Where a loan stands after its payments: when each installment was settled, and the part
    of a payment waiting for the next installment to be covered in full."""

    settled_on: tuple[date | None, ...]
    credit: Decimal

    @property
    def installments_paid(self) -> int:
        return sum(1 for day in self.settled_on if day is not None)

    def paid_on_time(self, schedule: Sequence[Installment]) -> int:
        return sum(
            1
            for row, day in zip(schedule, self.settled_on, strict=True)
            if day is not None and day <= row.due_date
        )

    @property
    def closed(self) -> bool:
        return all(day is not None for day in self.settled_on)


def apply_payments(schedule: Sequence[Installment], payments: Sequence[PaymentRecord]) -> Servicing:
    """Payments settle the oldest unpaid installment first; a payoff settles all the rest."""
    settled: list[date | None] = [None] * len(schedule)
    credit = Decimal(0)
    upcoming = 0
    for payment in payments:
        if payment.settles_loan:
            settled[upcoming:] = [payment.paid_on] * (len(schedule) - upcoming)
            upcoming, credit = len(schedule), Decimal(0)
            continue
        credit += payment.amount
        while upcoming < len(schedule) and credit >= schedule[upcoming].amount:
            credit -= schedule[upcoming].amount
            settled[upcoming] = payment.paid_on
            upcoming += 1
    return Servicing(settled_on=tuple(settled), credit=credit)


@dataclass(frozen=True)
class Payoff:
    outstanding_principal: Decimal
    accrued_interest: Decimal
    total: Decimal


def payoff_quote(
    schedule: Sequence[Installment], servicing: Servicing, start: date, on: date
) -> Payoff:
    """Outstanding principal, plus the interest of every unpaid installment already due, plus
    the current period's interest pro rata by days, less any credit already paid in."""
    principal = Decimal(0)
    accrued = Decimal(0)
    in_current_period = True
    for index, (row, day) in enumerate(zip(schedule, servicing.settled_on, strict=True)):
        if day is not None:
            continue
        principal += row.principal
        if row.due_date <= on:
            accrued += row.interest
        elif in_current_period:
            in_current_period = False
            period_start = schedule[index - 1].due_date if index else start
            if on > period_start:
                elapsed = (on - period_start).days
                accrued += row.interest * elapsed / (row.due_date - period_start).days
    accrued = to_paise(accrued)
    return Payoff(
        outstanding_principal=principal,
        accrued_interest=accrued,
        total=max(Decimal(0), principal + accrued - servicing.credit),
    )


@dataclass(frozen=True)
class PaymentProblem:
    """Why a payment is refused, on which field: a sentence with its figures named, so the API
    writes them as the contract has it (233271.68 on 2026-12-07) and the console in its format
    (₹ 2,33,271.68 on 07 Dec 2026)."""

    field: str
    sentence: str
    amounts: tuple[tuple[str, Decimal], ...] = ()
    days: tuple[tuple[str, date], ...] = ()

    @property
    def message(self) -> str:
        return self.describe(str, str)

    def describe(self, amount: Callable[[Decimal], str], day: Callable[[date], str]) -> str:
        """The sentence, each sum written by `amount` and each date by `day`."""
        written = {name: amount(value) for name, value in self.amounts}
        written.update({name: day(value) for name, value in self.days})
        return self.sentence.format(**written)


def before_the_start(field: str, start: date) -> PaymentProblem:
    """A day before the loan's start: no payment, no payoff quote."""
    return PaymentProblem(
        field, "Must not be before the loan's start ({start}).", days=(("start", start),)
    )


def payment_problem(
    amount: Decimal,
    paid_on: date,
    *,
    start: date,
    today: date,
    last_paid_on: date | None,
    payoff: Decimal,
) -> PaymentProblem | None:
    """Why a payment may not be recorded, if it may not: it is dated before the loan's start,
    in the future, or before the last payment (payments are kept in date order); or it is more
    than `payoff`, the quote that closes the loan on its date."""
    if paid_on < start:
        return before_the_start("paid_on", start)
    if paid_on > today:
        return PaymentProblem("paid_on", "Must not be in the future.")
    if last_paid_on is not None and paid_on < last_paid_on:
        return PaymentProblem(
            "paid_on",
            "Must not be before the last payment ({last}).",
            days=(("last", last_paid_on),),
        )
    if amount > payoff:
        return PaymentProblem(
            "amount",
            "Exceeds the payoff amount ({payoff}) on {paid_on}.",
            amounts=(("payoff", payoff),),
            days=(("paid_on", paid_on),),
        )
    return None


class InstallmentStatus(StrEnum):
    PAID = "paid"
    OVERDUE = "overdue"
    DUE = "due"
    UPCOMING = "upcoming"


def installment_statuses(
    schedule: Sequence[Installment], servicing: Servicing, as_of: date
) -> list[InstallmentStatus]:
    """Paid; overdue once past its due date; due on its due date (not before: the next
    installment a month away is upcoming, like the rest)."""
    statuses = []
    for row, day in zip(schedule, servicing.settled_on, strict=True):
        if day is not None:
            statuses.append(InstallmentStatus.PAID)
        elif row.due_date < as_of:
            statuses.append(InstallmentStatus.OVERDUE)
        elif row.due_date == as_of:
            statuses.append(InstallmentStatus.DUE)
        else:
            statuses.append(InstallmentStatus.UPCOMING)
    return statuses
