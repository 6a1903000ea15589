"""Money arithmetic: Decimal only, rounded half-up to paise. Free of Django on purpose."""

from decimal import ROUND_HALF_UP, Decimal

PAISE = Decimal("0.01")
LAKH = Decimal(100_000)


def to_paise(amount: Decimal) -> Decimal:
    return amount.quantize(PAISE, rounding=ROUND_HALF_UP)


def from_spreadsheet(value: float | int | str | Decimal) -> Decimal:
    """Floats from outside (spreadsheet cells, SQLite's REAL columns) go through their shortest
    repr, so 8.2 stays 8.2 and not 8.1999…"""
    return Decimal(str(value))
