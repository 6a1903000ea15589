"""core.contract's field types: what a request may spell a number or a date as, and the
messages the envelope gives for everything else."""

from datetime import date
from decimal import Decimal
from typing import Annotated

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from pydantic import Field, RootModel

from core.contract import (
    Amount,
    CalendarDate,
    Day,
    Declaration,
    Flag,
    InvalidInput,
    Messages,
    Money,
    Text,
    WholeNumber,
    parse,
    shape,
)


class Example(Declaration):
    count: Annotated[int, WholeNumber(1, 360)] = 1
    amount: Annotated[Decimal, Amount(14, gt=0)] = Decimal(1)
    rate: Annotated[Decimal, Amount(5, ge=0, le=100)] = Decimal(0)
    name: Annotated[str, Text(5)] = "x"
    digits: Annotated[int, WholeNumber(10, 99), Messages(out_of_range="Two digits.")] = 10
    day: CalendarDate | None = None
    flag: Flag = False


def errors(**fields):
    with pytest.raises(InvalidInput) as caught:
        parse(Example, fields)
    return caught.value.fields


@pytest.mark.parametrize(
    ("value", "expected"), [(7, 7), ("7", 7), (" 7 ", 7), (Decimal("7.0"), 7), ("7.00", 7)]
)
def test_integers_may_be_spelled_with_ascii_digits_and_a_zero_fraction(value, expected):
    assert parse(Example, {"count": value}).count == expected


@pytest.mark.parametrize(
    "value",
    [
        True,
        "1_0",
        "١٢",  # Arabic-Indic digits
        "１２",  # full-width digits
        "12.5",
        Decimal("12.5"),
        Decimal("1E+2"),
        Decimal("1E+999999999"),  # never converted to an int of a billion digits
        "1" * 41,
        [1],
        {"n": 1},
    ],
)
def test_anything_else_is_not_an_integer(value):
    assert errors(count=value) == {"count": ["A valid integer is required."]}


@pytest.mark.parametrize(
    ("value", "expected"), [(True, True), (False, False), ("true", True), ("false", False)]
)
def test_a_flag_is_true_or_false_as_json_or_a_form_writes_it(value, expected):
    assert parse(Example, {"flag": value}).flag is expected


@pytest.mark.parametrize("value", ["yes", "on", "1", 1, 0, "True", "", 0.0])
def test_a_flag_takes_nothing_a_lax_parser_would(value):
    assert errors(flag=value) == {"flag": ["Must be a valid boolean."]}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (5, Decimal("5.00")),
        ("5.5", Decimal("5.50")),
        (Decimal("1E+5"), Decimal("100000.00")),
        (" 0.01 ", Decimal("0.01")),
        ("1e2", Decimal("100.00")),
    ],
)
def test_amounts_are_quantized_to_two_places_as_the_column_stores_them(value, expected):
    amount = parse(Example, {"amount": value}).amount
    assert (amount, str(amount)) == (expected, str(expected))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1_000", "A valid number is required."),
        ("١٢٣", "A valid number is required."),
        ("NaN", "A valid number is required."),
        ("Infinity", "A valid number is required."),
        (True, "A valid number is required."),
        ("1" * 101, "A valid number is required."),
        (Decimal("1E+999999999"), "Ensure that there are no more than 14 digits in total."),
        (Decimal("1E-999999999"), "Ensure that there are no more than 14 digits in total."),
        (10**12, "Ensure that there are no more than 12 digits before the decimal point."),
        (Decimal("1.005"), "Ensure that there are no more than 2 decimal places."),
        (0, "Must be greater than 0."),
        (None, "This field may not be null."),
    ],
)
def test_amounts_refuse_what_is_not_a_plain_bounded_number(value, message):
    assert errors(amount=value) == {"amount": [message]}


def test_ranges_say_their_bounds_and_a_field_may_say_its_own_message():
    assert errors(count=0) == {"count": ["Ensure this value is greater than or equal to 1."]}
    assert errors(count=361) == {"count": ["Ensure this value is less than or equal to 360."]}
    assert errors(rate=Decimal("100.01")) == {
        "rate": ["Ensure this value is less than or equal to 100."]
    }
    assert errors(digits=100) == errors(digits=9) == {"digits": ["Two digits."]}


def test_text_is_trimmed_and_never_blank_or_too_long():
    assert parse(Example, {"name": "  Asha "}).name == "Asha"
    assert errors(name="   ") == {"name": ["This field may not be blank."]}
    assert errors(name="Ashaaa") == {"name": ["Ensure this field has no more than 5 characters."]}
    assert errors(name=5) == {"name": ["Not a valid string."]}


@pytest.mark.parametrize("value", ["2026-02-30", "2026/02/03", "20260203", "٢٠٢٦-٠٢-٠٣", 20260203])
def test_dates_are_real_iso_dates(value):
    assert errors(day=value) == {
        "day": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]
    }
    assert parse(Example, {"day": "2026-2-3"}).day == date(2026, 2, 3)


def test_a_body_that_is_not_an_object_and_missing_fields_are_named():
    with pytest.raises(InvalidInput) as caught:
        parse(Example, [1, 2])
    assert caught.value.fields == {
        "non_field_errors": ["Invalid data. Expected a dictionary, but got list."]
    }
    # Never read from a value's attributes, as a response is: a JSON number is no empty object.
    for body in (Decimal("1.5"), 5, "text", True, None):
        with pytest.raises(InvalidInput) as caught:
            parse(Example, body)
        assert caught.value.fields == {
            "non_field_errors": [
                f"Invalid data. Expected a dictionary, but got {type(body).__name__}."
            ]
        }

    class Required(Declaration):
        needed: int

    with pytest.raises(InvalidInput) as caught:
        parse(Required, {})
    assert caught.value.fields == {"needed": ["This field is required."]}


class Shown(Declaration):
    amount: Money
    day: Day
    maybe: int | None = Field(default=None)


class ShownList(RootModel[list[Shown]]):
    pass


class Value:
    """Any object with the attributes: responses are read from domain objects."""

    amount = Decimal("5")
    day = date(2026, 6, 15)


def test_responses_carry_money_with_two_decimals_and_iso_dates():
    assert shape(Shown, Value()) == {"amount": Decimal("5.00"), "day": "2026-06-15", "maybe": None}
    assert shape(ShownList, [Value()]) == [
        {"amount": Decimal("5.00"), "day": "2026-06-15", "maybe": None}
    ]


# --- The OpenAPI document says what parse enforces --------------------------------------------

DOCUMENTED = Example.model_json_schema(mode="validation")["properties"]


def test_the_document_gives_standard_bounds_and_the_paisa():
    assert DOCUMENTED["count"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 360,
        "default": 1,
        "title": "Count",
    }
    assert DOCUMENTED["amount"]["multipleOf"] == 0.01
    assert not {"ge", "le", "gt", "lt"} & {key for field in DOCUMENTED.values() for key in field}


def documented_valid(name, value):
    return Draft202012Validator(DOCUMENTED[name]).is_valid(value)


def accepted(name, value):
    try:
        parse(Example, {name: value})
    except InvalidInput:
        return False
    return True


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-1000, max_value=1000))
def test_a_whole_number_is_documented_valid_exactly_when_it_is_accepted(value):
    assert documented_valid("count", value) == accepted("count", value)


# Spaces and controls at either end and inside, letters, and the lengths around the limit (5).
TEXT = st.text(
    alphabet=st.sampled_from(
        ["a", "é", " ", "\u00a0", "\u3000", "\t", "\n", "\x00", "\x1f", "\x85", "\ufeff"]
    ),
    max_size=9,
)


@settings(max_examples=1000, deadline=None)
@given(TEXT)
def test_text_is_documented_valid_exactly_when_it_is_accepted(value):
    assert documented_valid("name", value) == accepted("name", value), repr(value)
