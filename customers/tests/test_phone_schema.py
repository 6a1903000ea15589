"""The OpenAPI document's phone number is what registration accepts: a number from 1000000000
to 9999999999, or text matching TYPED_PHONE_PATTERN; any other text is refused."""

import re

from hypothesis import example, given
from hypothesis import strategies as st

from core.contract import InvalidInput, parse
from customers.contracts import RegisterInput
from customers.phones import TYPED_PHONE_PATTERN

PATTERN = re.compile(TYPED_PHONE_PATTERN)
OTHERS = {"first_name": "Asha", "last_name": "Rao", "age": 30, "monthly_income": 50000}


def accepted(phone: object) -> bool:
    """Whether registration takes the phone (the other fields are right)."""
    try:
        parse(RegisterInput, {**OTHERS, "phone_number": phone})
    except InvalidInput:
        return False
    return True


def test_the_document_says_integer_or_typed_text():
    schema = RegisterInput.model_json_schema()["properties"]["phone_number"]
    assert schema["anyOf"] == [
        {"type": "integer", "minimum": 1000000000, "maximum": 9999999999},
        {"type": "string", "pattern": TYPED_PHONE_PATTERN},
    ]


@given(st.from_regex(PATTERN))
@example("+91 98450 12345")
@example(" 0 98450-12345\t")
@example("+09845012345.00")
@example("+9100000000.0")
def test_text_the_pattern_holds_valid_is_accepted(text):
    assert accepted(text)


@given(st.text(alphabet="0123456789 -+.\t9x", max_size=24))
@example("+919845012345.0")
@example("919845012345")
@example("-9845012345")
@example("98450 12345 ")
@example("0" * 31 + "9845012345")
@example("+9100000000")  # +91 and eight zeros: refused, though it reads as a signed number
@example("+9198450123")
@example("+9845012345")
def test_any_text_is_accepted_exactly_when_the_pattern_matches(text):
    assert accepted(text) == bool(PATTERN.search(text))
