"""Spreadsheet cells to typed, validated values. Free of Django on purpose.

Cells arrive as floats (every number in the original files), ints, bools, dates, datetimes or
text. Each converter returns the value or raises CellError with a message for the person who
will fix the file; a row converts to its values plus the list of (column, message) it failed on.
The bounds are the models' and the API's (the limits modules): an imported row is a row the API
could hold.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import partial
from operator import call
from typing import Any

from core.limits import LARGEST_ID
from credit.limits import (
    AMOUNT_DIGITS,
    INSTALLMENT_DIGITS,
    MAX_RATE,
    MAX_TENURE_MONTHS,
    MIN_TENURE_MONTHS,
    RATE_DIGITS,
)
from credit.money import PAISE, from_spreadsheet, largest_money
from customers.limits import (
    APPROVED_LIMIT_DIGITS,
    LARGEST_PHONE_NUMBER,
    MAX_AGE,
    MAX_MONTHLY_SALARY,
    MAX_NAME_LENGTH,
    MIN_AGE,
    SALARY_DIGITS,
    SMALLEST_PHONE_NUMBER,
)


class CellError(ValueError):
    pass


def is_blank(value: Any) -> bool:
    """No value, or only whitespace: a required cell that is missing, a row the readers skip."""
    return value is None or (type(value) is str and not value.strip())


def integer(value: Any, low: int, high: int) -> int:
    kind = type(value)
    if kind is float:
        if not value.is_integer():
            raise CellError(f"Must be a whole number, got {value!r}.")
        number = int(value)
    elif kind is int:
        number = value
    elif kind is str:
        try:
            parsed = Decimal(value.strip())
        except InvalidOperation:
            raise CellError(f"Must be a whole number, got {value.strip()!r}.") from None
        if not parsed.is_finite() or parsed != parsed.to_integral_value():
            raise CellError(f"Must be a whole number, got {value.strip()!r}.")
        number = int(parsed)
    else:
        raise CellError(f"Must be a whole number, got {_describe(value)}.")
    if not low <= number <= high:
        raise CellError(f"Must be between {low} and {high}, got {number}.")
    return number


def money(
    value: Any, *, max_digits: int, allow_zero: bool, most: Decimal | int | None = None
) -> Decimal:
    """Two decimal places at most, positive (or zero where a zero is meaningful), small enough
    for a DECIMAL(max_digits, 2) column and, if given, at most `most`."""
    kind = type(value)
    if kind is float or kind is int:
        amount = from_spreadsheet(value)
    elif kind is str:
        try:
            amount = from_spreadsheet(value.strip())
        except InvalidOperation:
            raise CellError(f"Must be a number, got {value.strip()!r}.") from None
    else:
        raise CellError(f"Must be a number, got {_describe(value)}.")
    if not amount.is_finite():
        raise CellError(f"Must be a number, got {value!r}.")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise CellError(f"Must be {'0 or more' if allow_zero else 'greater than 0'}, got {amount}.")
    if amount >= largest_money(max_digits):
        raise CellError(f"Must be less than {largest_money(max_digits)}, got {amount}.")
    if amount != amount.quantize(PAISE):
        raise CellError(f"Must have at most 2 decimal places, got {amount}.")
    if most is not None and amount > most:
        raise CellError(
            f"Must be between 0 and {most}, got {amount}."
            if allow_zero
            else f"Must be at most {most}, got {amount}."
        )
    return amount


def text(value: Any) -> str:
    if type(value) is not str:
        raise CellError(f"Must be text, got {_describe(value)}.")
    cleaned = " ".join(value.split())
    if not cleaned:
        raise CellError("Is required.")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise CellError(f"Must be at most {MAX_NAME_LENGTH} characters.")
    return cleaned


def calendar_date(value: Any) -> date:
    """Dates, datetimes (the time is dropped) and ISO text; a date that cannot exist is an error."""
    kind = type(value)
    if kind is date:
        return value  # type: ignore[no-any-return]
    if kind is datetime:
        return value.date()  # type: ignore[no-any-return]
    if kind is str:
        try:
            return datetime.fromisoformat(value.strip()).date()
        except ValueError:
            raise CellError(f"Must be a valid date (YYYY-MM-DD), got {value.strip()!r}.") from None
    raise CellError(f"Must be a date, got {_describe(value)}.")


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {value}"
    if isinstance(value, float | int):
        return f"the number {value!r}"
    return f"{type(value).__name__} {value!r}"


class Unusual(Exception):
    """Raised by a field's `usual_text` for any cell but the usual one: a signal to take the
    full converter, not an error."""


@dataclass(frozen=True)
class Field:
    header: str
    convert: Callable[[Any], Any]
    # The usual cell (the type and range every row of a good file has) straight to the text
    # of its converted value, `str(convert(cell))`, with no value built in between; any
    # other cell, errors included, raises Unusual and takes `convert` and its messages.
    usual_text: Callable[[Any], str]


def _usual_or_full(
    usual_text: Callable[[Any], str], parse: Callable[[str], Any], full: Callable[[Any], Any]
) -> Callable[[Any], Any]:
    """A converter that parses the usual text back (cheaper than the full checks), else `full`."""

    def convert(value: Any) -> Any:
        try:
            return parse(usual_text(value))
        except Unusual:
            return full(value)

    return convert


def _whole(header: str, low: int, high: int) -> Field:
    def usual_text(value: Any) -> str:
        # int/float comparisons are exact in Python, so the bounds hold at 2**63 too.
        if type(value) is float and value.is_integer() and low <= value <= high:
            return str(int(value))
        raise Unusual

    full = partial(integer, low=low, high=high)
    return Field(header, _usual_or_full(usual_text, int, full), usual_text)


def _money_text(
    max_digits: int, allow_zero: bool, most: Decimal | int | None
) -> Callable[[Any], str]:
    # 10**k is exact as a float, and a float below it never has a shortest repr at or above it.
    limit = float(largest_money(max_digits))
    # A whole `most` (every one of the limits) is exact as a float too.
    top = None if most is None else float(most)

    def usual_text(value: Any) -> str:
        if (
            type(value) is float
            and (0 < value < limit or (allow_zero and value == 0))
            # A float and its shortest repr are on the same side of a whole `top`.
            and (top is None or value <= top)
        ):
            shown = repr(value)
            point = shown.find(".")
            # Shortest repr without an exponent and at most two decimals: already in paise,
            # and Decimal(shown) prints as `shown` again.
            if "e" not in shown and (point < 0 or len(shown) - point <= 3):
                return shown
        raise Unusual

    return usual_text


def _money(
    header: str,
    max_digits: int,
    *,
    allow_zero: bool = False,
    most: Decimal | int | None = None,
) -> Field:
    usual_text = _money_text(max_digits, allow_zero, most)
    full = partial(money, max_digits=max_digits, allow_zero=allow_zero, most=most)
    return Field(header, _usual_or_full(usual_text, Decimal, full), usual_text)


def _usual_name(value: Any) -> str:
    if type(value) is str:
        cleaned = " ".join(value.split())
        # No backslash either: the text is then its own COPY field (split() took tabs and
        # newlines already).
        if cleaned and len(cleaned) <= MAX_NAME_LENGTH and "\\" not in cleaned:
            return cleaned
    raise Unusual


def _usual_date(value: Any) -> str:
    if type(value) is date:
        return value.isoformat()
    raise Unusual


CUSTOMER_FIELDS: tuple[Field, ...] = (
    _whole("Customer ID", 1, LARGEST_ID),
    Field("First Name", text, _usual_name),
    Field("Last Name", text, _usual_name),
    _whole("Age", MIN_AGE, MAX_AGE),
    _whole("Phone Number", SMALLEST_PHONE_NUMBER, LARGEST_PHONE_NUMBER),
    _money("Monthly Salary", SALARY_DIGITS, most=MAX_MONTHLY_SALARY),
    _money("Approved Limit", APPROVED_LIMIT_DIGITS, allow_zero=True),
)

LOAN_FIELDS: tuple[Field, ...] = (
    _whole("Customer ID", 1, LARGEST_ID),
    _whole("Loan ID", 1, LARGEST_ID),
    _money("Loan Amount", AMOUNT_DIGITS),
    _whole("Tenure", MIN_TENURE_MONTHS, MAX_TENURE_MONTHS),
    _money("Interest Rate", RATE_DIGITS, allow_zero=True, most=MAX_RATE),
    _money("Monthly payment", INSTALLMENT_DIGITS, allow_zero=True),
    _whole("EMIs paid on Time", 0, MAX_TENURE_MONTHS),
    Field("Date of Approval", calendar_date, _usual_date),
    Field("End Date", calendar_date, _usual_date),
)


RowErrors = list[tuple[str, str]]


def convert_row(fields: Sequence[Field], cells: Sequence[Any]) -> tuple[list[Any], RowErrors]:
    """Every field converted; a failed or blank cell leaves None and adds an error.

    The converters reject blanks themselves, so a good cell needs no check of its own."""
    values: list[Any] = []
    errors: RowErrors = []
    for field, cell in zip(fields, cells, strict=True):
        try:
            values.append(field.convert(cell))
        except CellError as exc:
            values.append(None)
            errors.append((field.header, "Is required." if is_blank(cell) else str(exc)))
    return values, errors


def row_converter(
    fields: Sequence[Field],
) -> Callable[[Sequence[Any]], tuple[list[Any], RowErrors]]:
    """`convert_row` for many rows of the same fields: a row whose cells all convert costs one
    list comprehension; the first error sends it through `convert_row` for every message."""
    converters = tuple(field.convert for field in fields)

    def convert(cells: Sequence[Any]) -> tuple[list[Any], RowErrors]:
        try:
            return [each(cell) for each, cell in zip(converters, cells, strict=True)], []
        except CellError:
            return convert_row(fields, cells)

    return convert


def check_loan(values: list[Any], errors: RowErrors) -> None:
    """Rules across cells: installments paid within the tenure, the end after the start."""
    tenure, on_time, start, end = values[3], values[6], values[7], values[8]
    if tenure is not None and on_time is not None and on_time > tenure:
        errors.append(
            ("EMIs paid on Time", f"Must not exceed the tenure ({tenure}), got {on_time}.")
        )
    if start is not None and end is not None and end <= start:
        errors.append(("End Date", f"Must be after the Date of Approval ({start}), got {end}."))


def loan_rules_hold(cells: Sequence[Any]) -> bool:
    """`check_loan` on cells that all took their usual text (whole floats and dates compare
    as the values they convert to): true when it would report nothing."""
    return bool(cells[6] <= cells[3] and cells[7] < cells[8])


def usual_row_texts(
    fields: Sequence[Field], rules_hold: Callable[[Sequence[Any]], bool] | None = None
) -> Callable[[Sequence[Any]], list[str] | None]:
    """The texts of a row whose cells are all usual and pass the row's rules; None sends the
    row to `row_converter` for its values and messages. A million loans go through here, so
    the cells are mapped in C (the reader picks exactly one cell per field)."""
    texts = tuple(field.usual_text for field in fields)

    def convert(cells: Sequence[Any]) -> list[str] | None:
        try:
            found = list(map(call, texts, cells))
        except Unusual:
            return None
        return found if rules_hold is None or rules_hold(cells) else None

    return convert


@dataclass(frozen=True)
class RowRules:
    """What the reader's side needs to turn one kind of file's cells into staged values: its
    columns (`fields`, in the staged model's column order), the rules across a row's cells
    (`check_row`, adding to its errors) and the same on cells that all took the usual path
    (`usual_row_passes`: true when `check_row` would add none). Free of Django, so the reader's
    child process (ingestion.child) takes them by the kind's name."""

    fields: tuple[Field, ...]
    check_row: Callable[[list[Any], RowErrors], None] | None = None
    usual_row_passes: Callable[[Sequence[Any]], bool] | None = None

    @property
    def headers(self) -> list[str]:
        return [field.header for field in self.fields]


ROW_RULES: dict[str, RowRules] = {
    "customers": RowRules(CUSTOMER_FIELDS),
    "loans": RowRules(LOAN_FIELDS, check_loan, loan_rules_hold),
}
