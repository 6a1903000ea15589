"""Calendar months the way loan contracts count them. Free of Django on purpose."""

import calendar
from datetime import date


def add_months(start: date, months: int) -> date:
    """Same day `months` later; a missing day becomes the month's last (31 Jan → 28 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def months_elapsed(start: date, as_of: date) -> int:
    """Whole monthly anniversaries of `start` reached by `as_of` (0 before the first)."""
    if as_of < start:
        return 0
    months = (as_of.year - start.year) * 12 + as_of.month - start.month
    return months if add_months(start, months) <= as_of else months - 1
