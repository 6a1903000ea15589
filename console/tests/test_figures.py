"""How the console writes numbers, and the charts' geometry and words."""

from datetime import date
from decimal import Decimal

import pytest

from console import charts
from console.forms import dates_written
from console.templatetags.figures import amount_echo, count, day, money, rupees


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("8791.59"), "8,791.59"),
        (Decimal("100000"), "1,00,000.00"),
        (Decimal("12345678.905"), "1,23,45,678.91"),
        (Decimal("0.5"), "0.50"),
        (Decimal("-2500.5"), "−2,500.50"),
        (15, "15.00"),
        ("36.00", "36.00"),
        (None, ""),
        ("n/a", "n/a"),
    ],
)
def test_money_has_two_decimals_and_indian_grouping(value, shown):
    assert money(value) == shown


def test_counts_are_grouped_the_same_way():
    assert (count(1000000), count(999), count(-1234), count(None)) == (
        "10,00,000",
        "999",
        "−1,234",
        "",
    )


def test_stacked_columns_scale_to_a_round_ceiling_and_say_their_figures():
    chart = charts.stacked_columns("Per day", ["a", "b"], {"approved": [3, 0], "refused": [4, 0]})
    first, second = chart.columns
    assert [tick.label for tick in chart.ticks] == ["0", "5", "10"]
    # 7 of a 10 ceiling over a 180-pixel plot: 54 and 72 pixels, stacked from the bottom.
    assert [(s.y, s.height) for s in first.segments] == [(138.0, 54.0), (66.0, 72.0)]
    assert [s.height for s in second.segments] == [0.0, 0.0]
    assert chart.description == "Per day. a: 3 approved, 4 refused; b: 0 approved, 0 refused."


def test_bars_share_the_largest_value_or_their_own_limit():
    plain = charts.bars("Loans", [("current", 3, "3"), ("NPA", 1, "1")])
    assert [bar.percent for bar in plain.bars] == [100.0, 33.3]
    weighed = charts.bars("Points", [("x", Decimal(7), "7 of 35")], of=[Decimal(35)])
    assert (weighed.bars[0].percent, weighed.bars[0].width) == (20.0, 26.0)
    assert weighed.description == "Points: x 7 of 35."


@pytest.mark.parametrize(
    ("used", "limit", "percent", "tone", "share"),
    [
        (Decimal(10), Decimal(100), 10.0, "ok", "10.0%"),
        (Decimal(85), Decimal(100), 85.0, "warn", "85.0%"),
        (Decimal(130), Decimal(100), 100.0, "alarm", "130.0%"),
        (Decimal(0), Decimal(0), 0.0, "ok", "0.0%"),
        (Decimal(5), Decimal(0), 100.0, "alarm", "100.0%"),
    ],
)
def test_a_meter_fills_to_its_share_and_warns_past_80_percent(used, limit, percent, tone, share):
    shown = charts.meter("Used", used, limit, str(used), str(limit))
    assert (shown.percent, shown.tone, shown.share) == (percent, tone, share)
    assert shown.description == f"Used: {used} of {limit} ({share})."


def test_rupees_hold_their_sign_to_the_figure():
    assert rupees(Decimal("253239.29")) == "₹\u00a02,53,239.29"
    assert rupees(None) == ""


@pytest.mark.parametrize(
    ("typed", "echo"),
    [
        ("1000000", "₹\u00a010,00,000 · ten lakh"),
        ("10000000", "₹\u00a01,00,00,000 · one crore"),
        (
            "253239.29",
            "₹\u00a02,53,239.29 · two lakh fifty-three thousand two hundred thirty-nine and "
            "twenty-nine paise",
        ),
        ("12.5", "₹\u00a012.50 · twelve and fifty paise"),
        ("1001", "₹\u00a01,001 · one thousand one"),
        ("0", "₹\u00a00 · zero"),
        ("5000000000000", "₹\u00a050,00,00,00,00,000 · five lakh crore"),
        (Decimal("900000.00"), "₹\u00a09,00,000 · nine lakh"),
        ("1e5", ""),
        ("12.345", ""),
        ("-5", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_the_amount_echo_writes_figures_and_words_or_nothing(typed, echo):
    assert amount_echo(typed) == echo


def test_the_console_date_is_day_month_year():
    assert day(date(2026, 12, 7)) == "07 Dec 2026"


@pytest.mark.parametrize(
    ("said", "written"),
    [
        ("Must not be before from (2026-06-30).", "Must not be before from (30 Jun 2026)."),
        ("From 2026-01-05 to 2026-12-31.", "From 05 Jan 2026 to 31 Dec 2026."),
        ("Not a day: 2026-02-30.", "Not a day: 2026-02-30."),
        ("Reference 12345-2026-06-30X and 100.50", "Reference 12345-2026-06-30X and 100.50"),
    ],
)
def test_a_message_shown_in_the_console_writes_its_dates_as_the_console_does(said, written):
    assert dates_written(said) == written
