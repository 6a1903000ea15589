"""The usual-cell paths (cell straight to text, and the typed fast converters) against the full
converters they stand in for: same value, same text, same message, on many random cells."""

import json
import math
import random
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from core.limits import LARGEST_ID
from credit.limits import MAX_TENURE_MONTHS
from customers.limits import (
    LARGEST_PHONE_NUMBER,
    MAX_AGE,
    MAX_MONTHLY_SALARY,
    MIN_AGE,
    SMALLEST_PHONE_NUMBER,
)
from ingestion import child
from ingestion.models import FileKind, Outcome
from ingestion.rows import (
    CUSTOMER_FIELDS,
    LOAN_FIELDS,
    ROW_RULES,
    CellError,
    Field,
    Unusual,
    calendar_date,
    check_loan,
    convert_row,
    integer,
    loan_rules_hold,
    money,
    text,
    usual_row_texts,
)

SAMPLES = 20_000


def _rate(value: Any) -> Decimal:
    rate = money(value, max_digits=5, allow_zero=True)
    if rate > 100:
        raise CellError(f"Must be between 0 and 100, got {rate}.")
    return rate


def _salary(value: Any) -> Decimal:
    salary = money(value, max_digits=14, allow_zero=False)
    if salary > MAX_MONTHLY_SALARY:
        raise CellError(f"Must be at most {MAX_MONTHLY_SALARY}, got {salary}.")
    return salary


# What each column means, written out from the full converters alone.
REFERENCE: dict[str, Callable[[Any], Any]] = {
    "Customer ID": lambda cell: integer(cell, 1, LARGEST_ID),
    "Loan ID": lambda cell: integer(cell, 1, LARGEST_ID),
    "First Name": text,
    "Last Name": text,
    "Age": lambda cell: integer(cell, MIN_AGE, MAX_AGE),
    "Phone Number": lambda cell: integer(cell, SMALLEST_PHONE_NUMBER, LARGEST_PHONE_NUMBER),
    "Monthly Salary": _salary,
    "Approved Limit": lambda cell: money(cell, max_digits=16, allow_zero=True),
    "Loan Amount": lambda cell: money(cell, max_digits=14, allow_zero=False),
    "Tenure": lambda cell: integer(cell, 1, MAX_TENURE_MONTHS),
    "Interest Rate": _rate,
    "Monthly payment": lambda cell: money(cell, max_digits=16, allow_zero=True),
    "EMIs paid on Time": lambda cell: integer(cell, 0, MAX_TENURE_MONTHS),
    "Date of Approval": calendar_date,
    "End Date": calendar_date,
}
MONEY = {"Monthly Salary", "Approved Limit", "Loan Amount", "Interest Rate", "Monthly payment"}


def _floats(generator: random.Random) -> Iterator[float]:
    """Money and whole numbers as spreadsheets hold them, with the edges around every bound."""
    edges = [0.0, -0.0, 1.0, 17.0, 18.0, 100.0, 101.0, 360.0, 361.0, 1e-7, 5e-324, 0.005]
    for bound in [100, 10**3, 10**12, 10**14, 10**9, 10**10, 2**63]:
        edges += [float(bound), math.nextafter(float(bound), 0), math.nextafter(float(bound), 2e19)]
        edges += [bound - 0.01, bound + 0.01, bound - 0.5]
    edges += [math.inf, -math.inf, math.nan, 1e16, 1.5e16, 123456789012.34, 9999999999999.99]
    yield from edges
    yield from (-edge for edge in edges)
    for _ in range(SAMPLES):
        scale = 10 ** generator.randint(0, 16)
        value = generator.uniform(0, scale)
        yield generator.choice(
            [round(value, generator.randint(0, 3)), value, float(int(value)), -round(value, 2)]
        )


def _cells(generator: random.Random) -> Iterator[Any]:
    yield from _floats(generator)
    yield from [None, "", "  ", True, False, 7, 2**63, "12", " 1500.50 ", "4.2e1", "x", "1e400"]
    yield from [date(2020, 2, 29), datetime(2020, 2, 29, 13, 5), "2021-02-30", "2021-02-28"]
    for _ in range(2_000):
        yield date(generator.randint(1, 9999), generator.randint(1, 12), generator.randint(1, 28))
    yield from ["Ann", "  Ann   Lee ", "x" * 100, "x" * 101, " " + "y" * 100 + " "]
    for _ in range(2_000):
        letters = generator.choices("ab Zé \t\n\r\\\u00a0", k=generator.randint(0, 12))
        yield "".join(letters)


def _outcome(convert: Callable[[Any], Any], cell: Any) -> tuple[str, Any]:
    try:
        return "value", convert(cell)
    except CellError as exc:
        return "error", str(exc)


@pytest.mark.parametrize("field", [*CUSTOMER_FIELDS, *LOAN_FIELDS], ids=lambda field: field.header)
def test_every_field_agrees_with_its_full_converter(field: Field) -> None:
    reference = REFERENCE[field.header]
    usual_cells = 0
    for cell in _cells(random.Random(field.header)):
        expected = _outcome(reference, cell)
        got = _outcome(field.convert, cell)
        # Same value (and same Decimal digits: Decimal equality alone would let 8.20 pass
        # for 8.2), or the same message.
        assert (got, str(got[1])) == (expected, str(expected[1])), cell
        try:
            shown = field.usual_text(cell)
        except Unusual:
            continue
        usual_cells += 1
        assert expected[0] == "value", cell
        assert shown == str(expected[1]) == child.copy_field(expected[1]), cell
        if field.header in MONEY:
            assert Decimal(shown) == Decimal(str(cell)), cell
    assert usual_cells > 300  # the fast path was exercised, not skipped


def _rows(generator: random.Random) -> Iterator[list[Any]]:
    for _ in range(SAMPLES):
        start = date(generator.randint(2000, 2030), generator.randint(1, 12), 1)
        end = date(start.year + generator.choice([-1, 0, 1, 3]), generator.randint(1, 12), 1)
        tenure = float(generator.randint(0, 361))
        on_time = generator.choice(
            [0.0, tenure, tenure + 1, -1.0, float(generator.randint(0, 361))]
        )
        yield [
            float(generator.randint(1, 10**6)),
            float(generator.randint(1, 10**6)),
            round(generator.uniform(0, 10**7), generator.randint(0, 3)),
            tenure,
            round(generator.uniform(0, 101), generator.randint(0, 3)),
            round(generator.uniform(0, 10**5), generator.randint(0, 2)),
            on_time,
            start,
            generator.choice([end, start, datetime(end.year, end.month, 1, 9)]),
        ]


def test_a_usual_loan_row_prints_what_the_full_conversion_stores() -> None:
    usual = usual_row_texts(LOAN_FIELDS, loan_rules_hold)
    taken = 0
    for cells in _rows(random.Random(7)):
        values, errors = convert_row(LOAN_FIELDS, cells)
        check_loan(values, errors)
        texts = usual(cells)
        if texts is None:
            continue
        taken += 1
        assert errors == [], cells
        assert texts == [child.copy_field(value) for value in values], cells
    assert 500 < taken < SAMPLES  # both ways were taken


def test_copy_text_matches_the_converted_values_line_by_line() -> None:
    """The payload for a chunk of good and bad rows (the job's own converter for the rows off
    the usual path), against each row converted by `convert_row` and `check_loan` and printed."""
    chunk = list(enumerate(_rows(random.Random(11)), start=2))
    convert = child.converter(ROW_RULES[FileKind.LOANS])
    payload = child.copy_text(5, chunk, usual_row_texts(LOAN_FIELDS, loan_rules_hold), convert)
    lines = payload.decode().split("\n")
    assert lines.pop() == ""
    assert len(lines) == len(chunk)
    rejected = 0
    for line, (number, cells) in zip(lines, chunk, strict=True):
        values, errors = convert_row(LOAN_FIELDS, cells)
        check_loan(values, errors)
        fields = line.split("\t")
        assert fields[:2] == ["5", str(number)]
        if errors:
            rejected += 1
            assert json.loads(fields[2].replace("\\\\", "\\")) == [list(e) for e in errors]
            assert fields[3] == Outcome.REJECTED.value
        else:
            assert fields[2:4] == ["\\N", "\\N"]
        assert fields[4:] == [child.copy_field(value) for value in values]
    assert 0 < rejected < len(chunk)
