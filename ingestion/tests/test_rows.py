from datetime import date, datetime
from decimal import Decimal

import pytest

from customers.limits import MAX_MONTHLY_SALARY
from ingestion.rows import (
    CUSTOMER_FIELDS,
    LOAN_FIELDS,
    CellError,
    calendar_date,
    check_loan,
    convert_row,
    integer,
    money,
    text,
)


@pytest.mark.parametrize(
    ("cell", "expected"), [(42.0, 42), (42, 42), (" 42 ", 42), ("42.0", 42), ("4.2e1", 42)]
)
def test_integer_accepts_whole_numbers_in_any_cell_type(cell, expected):
    assert integer(cell, 1, 100) == expected


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (4.5, "Must be a whole number, got 4.5."),
        ("abc", "Must be a whole number, got 'abc'."),
        ("4.5", "Must be a whole number, got '4.5'."),
        ("nan", "Must be a whole number, got 'nan'."),
        (True, "Must be a whole number, got the boolean True."),
        (date(2020, 1, 1), "Must be a whole number, got date datetime.date(2020, 1, 1)."),
        (101.0, "Must be between 1 and 100, got 101."),
    ],
)
def test_integer_errors_say_what_was_found(cell, message):
    with pytest.raises(CellError) as error:
        integer(cell, 1, 100)
    assert str(error.value) == message


def test_money_goes_through_the_shortest_repr():
    assert money(8.2, max_digits=5, allow_zero=False) == Decimal("8.2")
    assert money(9629317944.0, max_digits=14, allow_zero=False) == Decimal("9629317944.0")
    assert money(" 1500.50 ", max_digits=14, allow_zero=False) == Decimal("1500.50")
    assert money(0, max_digits=16, allow_zero=True) == 0


@pytest.mark.parametrize(
    ("cell", "allow_zero", "message"),
    [
        (-5000.0, False, "Must be greater than 0, got -5000.0."),
        (0.0, False, "Must be greater than 0, got 0.0."),
        (-1, True, "Must be 0 or more, got -1."),
        ("fifty", False, "Must be a number, got 'fifty'."),
        (float("inf"), False, "Must be a number, got inf."),
        (1.005, False, "Must have at most 2 decimal places, got 1.005."),
        (1e12, False, "Must be less than 1000000000000, got 1000000000000.0."),
        (None, False, "Must be a number, got NoneType None."),
    ],
)
def test_money_errors(cell, allow_zero, message):
    with pytest.raises(CellError) as error:
        money(cell, max_digits=14, allow_zero=allow_zero)
    assert str(error.value) == message


def test_text_is_trimmed_and_bounded():
    assert text("  Aaron   Lee ") == "Aaron Lee"
    with pytest.raises(CellError, match="at most 100 characters"):
        text("x" * 101)
    with pytest.raises(CellError, match=r"Must be text, got the number 12\.0"):
        text(12.0)


def test_dates_from_dates_datetimes_and_iso_text():
    assert calendar_date(date(2017, 3, 9)) == date(2017, 3, 9)
    assert calendar_date(datetime(2017, 3, 9, 14, 30)) == date(2017, 3, 9)
    assert calendar_date(" 2017-03-09 ") == date(2017, 3, 9)
    assert calendar_date("2017-03-09 00:00:00") == date(2017, 3, 9)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("2021-02-30", "Must be a valid date (YYYY-MM-DD), got '2021-02-30'."),
        (43000.0, "Must be a date, got the number 43000.0."),
    ],
)
def test_impossible_dates_are_errors(cell, message):
    with pytest.raises(CellError) as error:
        calendar_date(cell)
    assert str(error.value) == message


def test_a_row_reports_every_bad_cell_by_its_header():
    cells = [1.0, "Ann", "", 17.0, 12345.0, -1.0, 100.0]
    values, errors = convert_row(CUSTOMER_FIELDS, cells)
    assert values == [1, "Ann", None, None, None, None, Decimal("100.0")]
    assert errors == [
        ("Last Name", "Is required."),
        ("Age", "Must be between 18 and 100, got 17."),
        ("Phone Number", "Must be between 1000000000 and 9999999999, got 12345."),
        ("Monthly Salary", "Must be greater than 0, got -1.0."),
    ]


def test_loan_cross_field_rules():
    cells = [1.0, 7.0, 1000.0, 12.0, 100.5, 90.0, 13.0, date(2020, 5, 1), date(2020, 5, 1)]
    values, errors = convert_row(LOAN_FIELDS, cells)
    check_loan(values, errors)
    assert errors == [
        ("Interest Rate", "Must be between 0 and 100, got 100.5."),
        ("EMIs paid on Time", "Must not exceed the tenure (12), got 13."),
        ("End Date", "Must be after the Date of Approval (2020-05-01), got 2020-05-01."),
    ]


def test_a_salary_is_at_most_what_register_accepts():
    """An imported row is a row the API could hold: /register takes a monthly income up to
    MAX_MONTHLY_SALARY, though the column would hold more."""
    cells = [1.0, "Ann", "Lee", 30.0, 9000000001.0, float(MAX_MONTHLY_SALARY), 0.0]
    assert convert_row(CUSTOMER_FIELDS, cells)[1] == []
    cells[5] = MAX_MONTHLY_SALARY + 0.5
    values, errors = convert_row(CUSTOMER_FIELDS, cells)
    assert values[5] is None
    assert errors == [("Monthly Salary", "Must be at most 1000000000, got 1000000000.5.")]
