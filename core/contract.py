"""What each endpoint takes and answers, declared once as a pydantic model.

One model validates a request (`parse`), shapes a response (`respond`) and describes both in
OpenAPI (core/schema.py teaches drf-spectacular to read these models). The field types below
take JSON as this API promises it: whole numbers and amounts as JSON numbers (or text made of
ASCII digits), never through float, and never a number so large that converting it costs more
than the request; their error messages are the ones docs and tests quote.
"""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, TypeVar

from annotated_types import Ge, GroupedMetadata, Le
from django.utils import timezone
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError
from rest_framework.response import Response

from credit.money import MONEY_PLACES, to_paise

Model = TypeVar("Model", bound=BaseModel)


class Declaration(BaseModel):
    """The base of every request and response model: unknown input fields are ignored, and a
    response can be read straight from a domain object's attributes."""

    model_config = ConfigDict(extra="ignore", from_attributes=True, frozen=True)


class InvalidInput(Exception):
    """Raised by `parse`; core.errors answers it as a 400 with these field messages."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__("The request has invalid fields.")
        self.fields = fields


class InconsistentInput(InvalidInput):
    """Raised by `parse` when every field is well formed and only a rule between fields refuses
    them, one no OpenAPI schema can state (a window's end before its start): a 422, so that a
    400 always means what the document itself refuses."""


# The type of a validator's PydanticCustomError for a rule between fields.
BETWEEN_FIELDS = "between_fields"


@dataclass(frozen=True)
class Messages:
    """Field metadata: the message for a value out of its range, in place of the usual two."""

    out_of_range: str


# --- Input types --------------------------------------------------------------------------

# Text that is a whole number: ASCII digits only (no "1_000", no other scripts' digits), at most
# 40 of them so converting is cheap, and ".0" allowed as DRF's IntegerField allowed it.
_WHOLE_TEXT = re.compile(r"[+-]?[0-9]{1,40}(?:\.0*)?")
# Text that is a decimal number: ASCII digits, an optional fraction and exponent.
_NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,10})?")
_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
_LONGEST_NUMBER_TEXT = 100


def _null_or(value: Any, error: PydanticCustomError) -> PydanticCustomError:
    return PydanticCustomError("null", "This field may not be null.") if value is None else error


def _integer_value(value: Any) -> int:
    if type(value) is int:
        return value
    if isinstance(value, str | Decimal | float) and not isinstance(value, bool):
        text = str(value).strip()
        if _WHOLE_TEXT.fullmatch(text):
            return int(text.partition(".")[0])
    raise _null_or(value, PydanticCustomError("int_parsing", "A valid integer is required."))


def _decimal_value(value: Any) -> Decimal:
    if type(value) is int or (type(value) is Decimal and value.is_finite()):
        return Decimal(value)
    if type(value) is float or type(value) is str:
        text = str(value).strip()
        if len(text) <= _LONGEST_NUMBER_TEXT and _NUMBER_TEXT.fullmatch(text):
            return Decimal(text)
    raise _null_or(value, PydanticCustomError("decimal_parsing", "A valid number is required."))


def _flag_value(value: Any) -> bool:
    """A boolean: JSON's true or false, or a form's text of them ("true", "false")."""
    if type(value) is bool:
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise _null_or(value, PydanticCustomError("bool_parsing", "Must be a valid boolean."))


def _calendar_date(value: Any) -> date:
    if type(value) is date:
        return value
    if type(value) is str and _DATE_TEXT.fullmatch(value.strip()):
        year, month, day = (int(part) for part in value.strip().split("-"))
        try:
            return date(year, month, day)
        except ValueError:
            pass
    raise _null_or(
        value,
        PydanticCustomError(
            "date_parsing", "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
        ),
    )


def _bound(value: Decimal | int | None) -> Decimal | int | None:
    """A whole bound as an int: an error's context would show a Decimal as "Decimal('0')"."""
    return int(value) if value is not None and value == int(value) else value


def _json_bound(value: Decimal | int | None) -> int | float | None:
    plain = _bound(value)
    return float(plain) if isinstance(plain, Decimal) else plain


@dataclass(frozen=True)
class WholeNumber(GroupedMetadata):
    """`Annotated[int, WholeNumber(low, high)]`: an integer from `low` to `high`."""

    low: int
    high: int

    def __iter__(self) -> Iterator[object]:
        yield BeforeValidator(_integer_value)
        yield Ge(self.low)
        yield Le(self.high)
        # Standard bounds: pydantic would write its own "ge"/"le" keys after a BeforeValidator,
        # which no client or validator reads.
        schema = {"type": "integer", "minimum": self.low, "maximum": self.high}
        yield WithJsonSchema(schema, mode="validation")


@dataclass(frozen=True)
class Amount(GroupedMetadata):
    """`Annotated[Decimal, Amount(max_digits, …)]`: a number with at most `places` decimals
    that fits DECIMAL(max_digits, places), quantized to `places` (1E+5 is 100000.00) as the
    column will store it."""

    max_digits: int
    places: int = MONEY_PLACES
    ge: Decimal | int | None = None
    gt: Decimal | int | None = None
    le: Decimal | int | None = None

    def __iter__(self) -> Iterator[object]:
        step = Decimal(1).scaleb(-self.places)
        yield BeforeValidator(_decimal_value)
        yield Field(
            max_digits=self.max_digits,
            decimal_places=self.places,
            ge=_bound(self.ge),
            gt=_bound(self.gt),
            le=_bound(self.le),
        )
        yield AfterValidator(lambda value: value.quantize(step))
        bounds = {
            "minimum": _json_bound(self.ge),
            "exclusiveMinimum": _json_bound(self.gt),
            "maximum": _json_bound(self.le),
            "exclusiveMaximum": None
            if self.le is not None
            else 10 ** (self.max_digits - self.places),
        }
        schema = {
            "type": "number",
            # At most `places` decimals (a paisa): more is refused, not rounded.
            "multipleOf": float(step),
            **{key: value for key, value in bounds.items() if value is not None},
        }
        yield WithJsonSchema(schema, mode="validation")


# C0 and C1 control characters (NUL above all, which PostgreSQL text cannot hold).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _no_control_characters(value: str) -> str:
    if _CONTROL.search(value):
        raise PydanticCustomError("control_characters", "Must not contain control characters.")
    return value


def whole_value(pattern: str) -> str:
    """A JSON Schema pattern (a search) that matches only the whole value. Its end is "nothing
    follows", not `$`, which in Python's reading (schemathesis draws values with it) also
    matches before a final newline."""
    return f"^(?:{pattern})(?![\\s\\S])"


# What trimming takes from the ends (Unicode's White_Space, controls among them: trimmed, they
# are no longer refused), and the controls refused anywhere else.
_SPACE = "\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_CONTROLS = "\u0000-\u001f\u007f-\u009f"


@dataclass(frozen=True)
class Text(GroupedMetadata):
    """`Annotated[str, Text(max_length)]`: text, trimmed, not blank, at most `max_length`, and
    no control characters. The OpenAPI document says exactly that as one pattern: spaces at
    either end, then 1 to `max_length` characters that start and end with a visible one."""

    max_length: int

    def __iter__(self) -> Iterator[object]:
        yield StringConstraints(
            strict=True, strip_whitespace=True, min_length=1, max_length=self.max_length
        )
        yield AfterValidator(_no_control_characters)
        any_, visible = f"[^{_CONTROLS}]", f"[^{_CONTROLS}{_SPACE}]"
        inner = f"{visible}(?:{any_}{{0,{self.max_length - 2}}}{visible})?"
        pattern = whole_value(f"[{_SPACE}]*{inner}[{_SPACE}]*")
        yield WithJsonSchema({"type": "string", "pattern": pattern}, mode="validation")


CalendarDate = Annotated[
    date,
    BeforeValidator(_calendar_date),
    WithJsonSchema({"type": "string", "format": "date"}, mode="validation"),
]
# true or false, and nothing else a lax parser would take ("yes", 1, "off").
Flag = Annotated[bool, BeforeValidator(_flag_value)]

# --- Output types -------------------------------------------------------------------------

# Money and rates as JSON numbers with exactly two decimals (8791.59, 100000.00): the renderer
# writes a Decimal with the digits it carries.
Money = Annotated[
    Decimal,
    PlainSerializer(to_paise, return_type=Decimal),
    WithJsonSchema({"type": "number"}, mode="serialization"),
]
# A number written with the digits it carries (a share of 0.5000, a multiplier of 36.00).
Exact = Annotated[Decimal, WithJsonSchema({"type": "number"}, mode="serialization")]
Day = Annotated[
    date,
    PlainSerializer(date.isoformat, return_type=str),
    WithJsonSchema({"type": "string", "format": "date"}, mode="serialization"),
]


def _timestamp(moment: datetime) -> str:
    """In the service's time zone, as DRF wrote timestamps: 2026-11-26T18:10:50.878000+05:30."""
    shown = timezone.localtime(moment).isoformat()
    return shown[:-6] + "Z" if shown.endswith("+00:00") else shown


Timestamp = Annotated[
    datetime,
    PlainSerializer(_timestamp, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]

# --- Requests -----------------------------------------------------------------------------

_MESSAGES = {
    "missing": "This field is required.",
    "int_type": "A valid integer is required.",
    "decimal_max_digits": "Ensure that there are no more than {max_digits} digits in total.",
    "decimal_max_places": "Ensure that there are no more than {decimal_places} decimal places.",
    "decimal_whole_digits": (
        "Ensure that there are no more than {whole_digits} digits before the decimal point."
    ),
    "greater_than_equal": "Ensure this value is greater than or equal to {ge}.",
    "less_than_equal": "Ensure this value is less than or equal to {le}.",
    "greater_than": "Must be greater than {gt}.",
    "less_than": "Must be less than {lt}.",
    "string_type": "Not a valid string.",
    "string_unicode": "Not a valid string.",
    "string_too_short": "This field may not be blank.",
    "string_too_long": "Ensure this field has no more than {max_length} characters.",
    "literal_error": '"{input}" is not a valid choice.',
    "enum": '"{input}" is not a valid choice.',
    "bool_type": "Must be a valid boolean.",
    "extra_forbidden": "Not a parameter of the policy.",
    "bool_parsing": "Must be a valid boolean.",
}
_RANGE_ERRORS = frozenset({"greater_than_equal", "less_than_equal", "greater_than", "less_than"})
_NOT_AN_OBJECT = frozenset({"model_type", "model_attributes_type", "dict_type"})


def parse(model: type[Model], data: Any) -> Model:
    """`data` (a parsed JSON body or query parameters) as `model`, or InvalidInput naming each
    field with its messages."""
    if isinstance(data, Mapping) and hasattr(data, "getlist"):  # a QueryDict: its last values
        data = {name: data.get(name) for name in data}
    try:
        return model.model_validate(data, from_attributes=False)  # a request is never an object
    except ValidationError as exc:
        between = all(error["type"] == BETWEEN_FIELDS for error in exc.errors())
        refusal = InconsistentInput if between else InvalidInput
        raise refusal(_field_messages(model, exc)) from None


def _field_messages(model: type[BaseModel], exc: ValidationError) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False):
        if error["type"] in _NOT_AN_OBJECT and not error["loc"]:
            found = type(error["input"]).__name__
            name, message = (
                "non_field_errors",
                f"Invalid data. Expected a dictionary, but got {found}.",
            )
        else:
            name = ".".join(str(part) for part in error["loc"])
            message = _message(model, name, error)
        fields.setdefault(name, []).append(message)
    return fields


def _message(model: type[BaseModel], name: str, error: Any) -> str:
    kind = error["type"]
    if kind in _RANGE_ERRORS:
        field = model.model_fields.get(name)
        for meta in field.metadata if field else ():
            if isinstance(meta, Messages):
                return meta.out_of_range
    if kind != "missing" and error.get("input", ...) is None:
        return "This field may not be null."
    template = _MESSAGES.get(kind)
    if template is None:
        return str(error["msg"])
    return template.format(input=error.get("input"), **(error.get("ctx") or {}))


# --- Responses ----------------------------------------------------------------------------


@cache
def _adapter(declaration: Any) -> TypeAdapter[Any]:
    return TypeAdapter(declaration)


def shape(declaration: Any, value: Any) -> Any:
    """`value` (a domain object, or a list of them) as the declaration's plain data: dicts,
    lists, Decimals and text, for the JSON renderer."""
    if isinstance(declaration, type) and issubclass(declaration, BaseModel):
        return declaration.model_validate(value).model_dump(by_alias=True)
    adapter = _adapter(declaration)
    return adapter.dump_python(adapter.validate_python(value, from_attributes=True), by_alias=True)


def respond(
    declaration: Any, value: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(shape(declaration, value), status=status, headers=headers)
