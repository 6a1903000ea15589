from datetime import date

import pytest

from credit.dates import add_months, months_elapsed


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 6, 15), 360, date(2056, 6, 15)),
        (date(2026, 12, 1), 0, date(2026, 12, 1)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "as_of", "expected"),
    [
        (date(2026, 1, 15), date(2026, 1, 14), 0),
        (date(2026, 1, 15), date(2026, 1, 15), 0),
        (date(2026, 1, 15), date(2026, 2, 14), 0),
        (date(2026, 1, 15), date(2026, 2, 15), 1),
        (date(2026, 1, 31), date(2026, 2, 28), 1),
        (date(2026, 1, 31), date(2026, 2, 27), 0),
        (date(2020, 3, 9), date(2026, 6, 15), 75),
        (date(2026, 6, 15), date(2025, 1, 1), 0),
    ],
)
def test_months_elapsed_counts_monthly_anniversaries(start, as_of, expected):
    assert months_elapsed(start, as_of) == expected
