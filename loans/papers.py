"""What the papers a borrower is handed read: the sanction letter's terms and schedule summary,
and the statement — every installment fallen due, payment and reversal with the running balance.
(The schedule paper is loans.servicing's loan_account, as the loan page reads it; the receipt,
its payment_receipt.)"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from loans.models import LoanOrigin, Payment
from loans.selectors import LoanView, get_loan, loan_view, payment_history
from loans.servicing import loan_schedule


@dataclass(frozen=True, slots=True)
class SanctionTerms:
    """The loan's terms and its schedule in sum, as the sanction letter states them."""

    loan: LoanView
    imported: bool
    installments: int
    first_due: date
    last_due: date
    last_installment: Decimal
    total_interest: Decimal
    total_repayable: Decimal


def sanction_terms(loan_id: int, as_of: date) -> SanctionTerms:
    loan = get_loan(loan_id, with_customer=True)
    rows = loan_schedule(loan)
    return SanctionTerms(
        loan=loan_view(loan, as_of),
        imported=loan.origin == LoanOrigin.IMPORTED,
        installments=len(rows),
        first_due=rows[0].due_date,
        last_due=rows[-1].due_date,
        last_installment=rows[-1].amount,
        total_interest=sum((row.interest for row in rows), Decimal(0)),
        total_repayable=sum((row.amount for row in rows), Decimal(0)),
    )


@dataclass(frozen=True, slots=True)
class StatementLine:
    on: date
    what: str
    due: Decimal | None
    paid: Decimal | None
    balance: Decimal = Decimal(0)
    reversed: bool = False


@dataclass(frozen=True, slots=True)
class Statement:
    """`balance` is what is due and unpaid after each line (below zero: paid ahead). For a loan
    from the history files no payments are recorded here, so there are no lines."""

    loan: LoanView
    imported: bool
    as_of: date
    lines: list[StatementLine]
    still_to_fall_due: int

    @property
    def balance(self) -> Decimal:
        return self.lines[-1].balance if self.lines else Decimal(0)


def _payment_lines(payment: Payment) -> list[tuple[int, StatementLine]]:
    """A payment as it came, and, if it was taken back, its reversal on the day it was."""
    how = " ".join(part for part in (payment.get_mode_display(), payment.reference) if part)
    came = StatementLine(
        payment.paid_on,
        f"Payment {payment.pk}" + (f" · {how}" if how else ""),
        due=None,
        paid=payment.amount,
        reversed=payment.reversed_at is not None,
    )
    if payment.reversed_at is None:
        return [(1, came)]
    back = StatementLine(
        timezone.localdate(payment.reversed_at),
        f"Payment {payment.pk} reversed: {payment.reversal_reason}",
        due=payment.amount,
        paid=None,
    )
    return [(1, came), (2, back)]


def _with_balances(lines: list[StatementLine], payoff: StatementLine | None) -> list[StatementLine]:
    """Each line with the balance after it; before the payoff, the rest of the loan called due
    (the quote less what was due and unpaid), so that the payoff leaves nothing owing."""
    balance, kept = Decimal(0), []
    for line in lines:
        if line is payoff and line.paid is not None:
            rest, balance = line.paid - balance, line.paid
            kept.append(
                StatementLine(line.on, "Rest of the loan called for payoff", rest, None, balance)
            )
        balance += (line.due or 0) - (line.paid or 0)
        kept.append(StatementLine(line.on, line.what, line.due, line.paid, balance, line.reversed))
    return kept


def statement_of(loan_id: int, as_of: date) -> Statement:
    """The installments fallen due by `as_of` (by the payoff's day, on a loan paid off), the
    payments and reversals, in the order of their days: on one day an installment falls due
    before a payment is counted, and a payment before its reversal."""
    loan = get_loan(loan_id, with_customer=True)
    imported = loan.origin == LoanOrigin.IMPORTED
    rows = () if imported else loan_schedule(loan)
    payments = [] if imported else list(payment_history(loan_id))
    payoff = next((p for p in payments if p.settles_loan and p.reversed_at is None), None)
    last_day = min(as_of, payoff.paid_on) if payoff else as_of
    fallen_due = [row for row in rows if row.due_date <= last_day]
    events = [
        (
            row.due_date,
            0,
            row.number,
            StatementLine(row.due_date, f"Installment {row.number} due", row.amount, None),
        )
        for row in fallen_due
    ]
    payoff_line = None
    for payment in payments:
        for order, line in _payment_lines(payment):
            events.append((line.on, order, payment.pk, line))
            if payment is payoff and order == 1:
                payoff_line = line
    ordered = [line for *_, line in sorted(events, key=lambda event: event[:3])]
    return Statement(
        loan=loan_view(loan, as_of),
        imported=imported,
        as_of=as_of,
        lines=_with_balances(ordered, payoff_line),
        still_to_fall_due=0 if payoff else len(rows) - len(fallen_due),
    )
