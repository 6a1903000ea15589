"""The papers' reads: the sanction letter's schedule in sum and the statement's running balance,
to the paisa, across a partial payment and a reversal, and a payoff."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from loans.models import LoanOrigin, Payment
from loans.papers import sanction_terms, statement_of
from loans.services import record_payment, reverse_payment
from loans.servicing import payoff_on
from loans.tests.factories import LoanFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 9, 20)  # LoanFactory: 1,00,000 at 10% for 12 months from 2026-06-15


def pay(loan, amount, paid_on, **how):
    return record_payment(
        loan.pk, Decimal(amount), paid_on, as_of=TODAY, recorded_by="cashier", **how
    )


def test_the_sanction_letter_sums_the_schedule():
    terms = sanction_terms(LoanFactory.create().pk, TODAY)
    assert (terms.installments, terms.first_due, terms.last_due) == (
        12,
        date(2026, 7, 15),
        date(2027, 6, 15),
    )
    # Eleven installments of 8,791.59 and a last one of 8,791.56 (the paise's drift).
    assert terms.last_installment == Decimal("8791.56")
    assert terms.total_repayable == Decimal("105499.05")
    assert terms.total_interest == Decimal("5499.05")
    assert terms.imported is False


def test_the_statement_runs_its_balance_across_a_partial_payment_and_a_reversal():
    loan = LoanFactory.create()
    first = pay(loan, "8791.59", date(2026, 7, 15), mode="upi", reference="UTR1")
    cheque = pay(loan, "5000.00", date(2026, 8, 20), mode="cheque", reference="000777")
    neft = pay(loan, "3000.00", date(2026, 9, 19), mode="neft", reference="N1")
    reverse_payment(loan.pk, cheque.pk, reason="Cheque returned", reversed_by="approver")
    Payment.objects.filter(pk=cheque.pk).update(reversed_at=datetime(2026, 9, 18, 6, tzinfo=UTC))
    statement = statement_of(loan.pk, TODAY)
    assert [
        (line.on, line.what, line.due, line.paid, line.balance, line.reversed)
        for line in statement.lines
    ] == [
        (
            date(2026, 7, 15),
            "Installment 1 due",
            Decimal("8791.59"),
            None,
            Decimal("8791.59"),
            False,
        ),
        (
            date(2026, 7, 15),
            f"Payment {first.pk} · UPI UTR1",
            None,
            Decimal("8791.59"),
            Decimal("0.00"),
            False,
        ),
        (
            date(2026, 8, 15),
            "Installment 2 due",
            Decimal("8791.59"),
            None,
            Decimal("8791.59"),
            False,
        ),
        (
            date(2026, 8, 20),
            f"Payment {cheque.pk} · Cheque 000777",
            None,
            Decimal("5000.00"),
            Decimal("3791.59"),
            True,
        ),
        (
            date(2026, 9, 15),
            "Installment 3 due",
            Decimal("8791.59"),
            None,
            Decimal("12583.18"),
            False,
        ),
        (
            date(2026, 9, 18),
            f"Payment {cheque.pk} reversed: Cheque returned",
            Decimal("5000.00"),
            None,
            Decimal("17583.18"),
            False,
        ),
        (
            date(2026, 9, 19),
            f"Payment {neft.pk} · NEFT N1",
            None,
            Decimal("3000.00"),
            Decimal("14583.18"),
            False,
        ),
    ]
    assert (statement.balance, statement.still_to_fall_due) == (Decimal("14583.18"), 9)


def test_a_payoff_calls_the_rest_due_and_leaves_nothing_owing():
    loan = LoanFactory.create()
    pay(loan, "8791.59", date(2026, 7, 15))
    # The quote on 15 August: 92,041.74 principal and August's 767.01 interest. Installment 2
    # (8,791.59), due that day, is inside it; the rest called is 84,017.16, the principal left
    # after installment 2 in the schedule.
    assert payoff_on(loan.pk, date(2026, 8, 15), as_of=TODAY).total == Decimal("92808.75")
    payoff = pay(loan, "92808.75", date(2026, 8, 15))
    assert payoff.settles_loan
    statement = statement_of(loan.pk, TODAY)
    assert [(line.what, line.due, line.paid, line.balance) for line in statement.lines[-3:]] == [
        ("Installment 2 due", Decimal("8791.59"), None, Decimal("8791.59")),
        ("Rest of the loan called for payoff", Decimal("84017.16"), None, Decimal("92808.75")),
        (f"Payment {payoff.pk}", None, Decimal("92808.75"), Decimal("0.00")),
    ]
    assert (statement.balance, statement.still_to_fall_due) == (Decimal("0.00"), 0)


def test_a_loan_from_the_history_files_has_no_lines_here():
    loan = LoanFactory.create(origin=LoanOrigin.IMPORTED)
    statement = statement_of(loan.pk, TODAY)
    assert (statement.imported, statement.lines, statement.balance) == (True, [], Decimal(0))
    assert sanction_terms(loan.pk, TODAY).imported is True
