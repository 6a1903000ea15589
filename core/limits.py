"""Bounds every app shares. Free of Django on purpose: models, API declarations, path converters
and the spreadsheet checks all read them, so a value one accepts the others can store."""

# Every primary key is a signed 64-bit integer: ids from 1 up to this, in a path or a body.
LARGEST_ID = 2**63 - 1
# Money columns keep two decimals (paise); rates too (percent with two decimals).
MONEY_PLACES = 2


def largest_money(max_digits: int) -> int:
    """A DECIMAL(max_digits, 2) column holds values below this power of ten."""
    return int(10 ** (max_digits - MONEY_PLACES))
