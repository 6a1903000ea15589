"""Money arithmetic: Decimal only, rounded half-up to paise, and what a money column holds."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar, get_type_hints

# Money columns keep two decimals (paise); rates too (percent with two decimals).
MONEY_PLACES = 2
PAISE = Decimal("0.01")
T = TypeVar("T")


def largest_money(max_digits: int) -> int:
    """A DECIMAL(max_digits, 2) column holds values below this power of ten."""
    return int(10 ** (max_digits - MONEY_PLACES))


def to_paise(amount: Decimal) -> Decimal:
    return amount.quantize(PAISE, rounding=ROUND_HALF_UP)


def from_spreadsheet(value: float | int | str | Decimal) -> Decimal:
    """Floats from outside (spreadsheet cells, SQLite's REAL columns) go through their shortest
    repr, so 8.2 stays 8.2 and not 8.1999…"""
    return Decimal(str(value))


def as_stored(record: Any) -> dict[str, Any]:
    """A dataclass as JSON keeps it: its Decimals as text, so no float ever holds money."""
    return {
        name: str(value) if isinstance(value, Decimal) else value
        for name, value in vars(record).items()
    }


def from_stored(kind: type[T], stored: dict[str, Any]) -> T:
    """The dataclass `as_stored` wrote: the fields typed Decimal read back from their text."""
    hints = get_type_hints(kind)
    return kind(
        **{
            name: Decimal(value) if hints[name] is Decimal else value
            for name, value in stored.items()
        }
    )
