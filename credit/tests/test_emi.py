from decimal import Decimal

import pytest

from credit.emi import monthly_installment


@pytest.mark.parametrize(
    ("principal", "rate", "tenure", "expected"),
    # Expected values checked against exact rational arithmetic (fractions.Fraction).
    [
        ("100000", "10", 12, "8791.59"),  # the contract's own example
        ("100000", "12", 12, "8884.88"),
        ("500000", "16", 24, "24481.56"),
        ("1000000", "8.5", 360, "7689.13"),
        ("250000", "18.25", 1, "253802.08"),
    ],
)
def test_emi_is_the_reducing_balance_formula_rounded_half_up(principal, rate, tenure, expected):
    assert monthly_installment(Decimal(principal), Decimal(rate), tenure) == Decimal(expected)


def test_zero_rate_is_principal_over_tenure():
    assert monthly_installment(Decimal("100000"), Decimal("0"), 12) == Decimal("8333.33")
    assert monthly_installment(Decimal("100"), Decimal("0.00"), 8) == Decimal("12.50")


def test_half_a_paisa_rounds_up():
    # 0.05 / 2 = 0.025 exactly: half-up gives 0.03 where banker's rounding would give 0.02.
    assert monthly_installment(Decimal("0.05"), Decimal("0"), 2) == Decimal("0.03")


def test_result_carries_exactly_two_decimals():
    assert monthly_installment(Decimal("120000"), Decimal("0"), 12).as_tuple().exponent == -2


def test_tenure_below_one_month_is_refused():
    with pytest.raises(ValueError, match="at least one month"):
        monthly_installment(Decimal("1000"), Decimal("10"), 0)
