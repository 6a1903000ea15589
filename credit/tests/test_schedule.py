from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

from hypothesis import given
from hypothesis import strategies as st

from credit.dates import add_months
from credit.emi import monthly_installment, monthly_rate
from credit.schedule import (
    InstallmentStatus,
    PaymentRecord,
    amortize,
    apply_payments,
    installment_statuses,
    payoff_quote,
)

START = date(2026, 1, 15)
EMI = Decimal("8791.59")


def lakh_at_10():
    return amortize(Decimal(100000), Decimal(10), 12, EMI, START)


def test_schedule_of_the_contract_example():
    # Expected rows worked out with exact fractions (fractions.Fraction), rounded half-up.
    rows = lakh_at_10()
    first, second, last = rows[0], rows[1], rows[-1]
    assert (first.number, first.due_date) == (1, date(2026, 2, 15))
    assert (first.interest, first.principal, first.balance) == (
        Decimal("833.33"),
        Decimal("7958.26"),
        Decimal("92041.74"),
    )
    assert (second.interest, second.principal, second.balance) == (
        Decimal("767.01"),
        Decimal("8024.58"),
        Decimal("84017.16"),
    )
    assert (last.due_date, last.amount, last.interest, last.principal, last.balance) == (
        date(2027, 1, 15),
        Decimal("8791.56"),
        Decimal("72.66"),
        Decimal("8718.90"),
        Decimal("0.00"),
    )
    assert sum(row.interest for row in rows) == Decimal("5499.05")


@given(
    amount=st.decimals(min_value=Decimal("0.01"), max_value=10**9, places=2),
    rate=st.one_of(st.just(Decimal(0)), st.decimals(min_value=0, max_value=100, places=2)),
    tenure=st.integers(min_value=1, max_value=360),
)
def test_schedule_properties(amount, rate, tenure):
    emi = monthly_installment(amount, rate, tenure)
    rows = amortize(amount, rate, tenure, emi, START)
    assert len(rows) == tenure
    assert sum(row.principal for row in rows) == amount
    assert rows[-1].balance == Decimal("0.00")
    assert all(row.amount == emi for row in rows[:-1])
    # Each period's interest is the balance before it × the monthly rate, to the paisa.
    balances = [amount, *(row.balance for row in rows[:-1])]
    with localcontext(prec=50):
        expected = [
            (balance * rate / 1200).quantize(Decimal("0.01"), ROUND_HALF_UP) for balance in balances
        ]
    assert [row.interest for row in rows] == expected
    assert [row.due_date for row in rows] == [add_months(START, n) for n in range(1, tenure + 1)]


@given(
    amount=st.decimals(min_value=10_000, max_value=10**9, places=2),
    rate=st.decimals(min_value=0, max_value=24, places=2),
    tenure=st.integers(min_value=1, max_value=240),
)
def test_ordinary_loans_never_overpay_and_the_last_installment_stays_within_the_drift_bound(
    amount, rate, tenure
):
    """A paisa of rounding a month at most, compounding at r: |last − EMI| ≤ 0.01·((1+r)^n−1)/r."""
    emi = monthly_installment(amount, rate, tenure)
    rows = amortize(amount, rate, tenure, emi, START)
    r = monthly_rate(rate)
    bound = Decimal("0.01") * (((1 + r) ** tenure - 1) / r if r else tenure)
    assert all(row.balance >= 0 for row in rows)
    assert abs(rows[-1].amount - emi) <= bound


def test_payments_settle_the_oldest_installment_first_and_partials_wait():
    rows = lakh_at_10()
    servicing = apply_payments(
        rows,
        [
            PaymentRecord(Decimal("8791.59"), date(2026, 2, 10)),  # no. 1, early
            PaymentRecord(Decimal("5000.00"), date(2026, 3, 20)),  # part of no. 2
            PaymentRecord(Decimal("12583.18"), date(2026, 3, 25)),  # rest of 2, all of 3
        ],
    )
    assert servicing.settled_on[:4] == (
        date(2026, 2, 10),
        date(2026, 3, 25),
        date(2026, 3, 25),
        None,
    )
    assert servicing.credit == Decimal("0.00")
    assert servicing.installments_paid == 3
    assert servicing.paid_on_time(rows) == 2  # no. 2 was due 15 March
    assert not servicing.closed


def test_a_payoff_payment_settles_everything_left():
    rows = lakh_at_10()
    servicing = apply_payments(rows, [PaymentRecord(Decimal("50000"), date(2026, 2, 1), True)])
    assert servicing.closed
    assert servicing.paid_on_time(rows) == 12


def test_payoff_accrues_the_current_period_by_days():
    rows = lakh_at_10()
    nothing_paid = apply_payments(rows, [])
    # 15 of the 31 days from 15 January to 15 February: 833.33 × 15/31 = 403.22.
    quote = payoff_quote(rows, nothing_paid, START, date(2026, 1, 30))
    assert (quote.outstanding_principal, quote.accrued_interest, quote.total) == (
        Decimal("100000.00"),
        Decimal("403.22"),
        Decimal("100403.22"),
    )
    assert payoff_quote(rows, nothing_paid, START, START).total == Decimal("100000.00")


def test_payoff_charges_overdue_installments_interest_in_full_and_subtracts_credit():
    rows = lakh_at_10()
    partly = apply_payments(rows, [PaymentRecord(Decimal("1000.00"), date(2026, 2, 1))])
    # 1 March: installment 1 (due 15 Feb) is overdue, 14 of 28 days into the second period.
    quote = payoff_quote(rows, partly, START, date(2026, 3, 1))
    assert quote.accrued_interest == Decimal("1216.84")  # 833.33 + 767.01 × 14/28 = 1216.835
    assert quote.total == Decimal("100216.84")


def test_installment_statuses():
    rows = lakh_at_10()
    servicing = apply_payments(rows, [PaymentRecord(EMI, date(2026, 2, 15))])
    statuses = installment_statuses(rows, servicing, date(2026, 4, 1))
    assert statuses[:5] == [
        InstallmentStatus.PAID,
        InstallmentStatus.OVERDUE,  # due 15 March
        InstallmentStatus.UPCOMING,  # due 15 April: not due before its date
        InstallmentStatus.UPCOMING,
        InstallmentStatus.UPCOMING,
    ]
    on_the_day = installment_statuses(rows, servicing, date(2026, 4, 15))
    assert on_the_day[1:4] == [
        InstallmentStatus.OVERDUE,
        InstallmentStatus.DUE,
        InstallmentStatus.UPCOMING,
    ]


def test_an_installment_is_overdue_only_the_day_after_its_due_date():
    rows = lakh_at_10()
    servicing = apply_payments(rows, [])
    assert installment_statuses(rows, servicing, date(2026, 2, 14))[0] == InstallmentStatus.UPCOMING
    assert installment_statuses(rows, servicing, date(2026, 2, 15))[0] == InstallmentStatus.DUE
    assert installment_statuses(rows, servicing, date(2026, 2, 16))[0] == InstallmentStatus.OVERDUE
