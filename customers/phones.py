"""Phone numbers as people type them: "+91 98450 12345", "98450-12345" and 9845012345 are one
number. Free of Django (the contract and the search both read it)."""

import re
from typing import Any

# An optional +91, then digits in groups separated by spaces or dashes.
_TYPED_PHONE = re.compile(r"(?:\+91[ -]*)?([0-9]+(?:[ -]+[0-9]+)*)")


# What the contract accepts as text, for the OpenAPI document (held equal to the contract by
# customers/tests/test_phone_schema.py): around optional white space, either a number as typed
# (an optional +91, digits with spaces or dashes between them) or a plain whole number (a sign,
# a ".0" end), either way 10 digits from 1 to 9 first after at most 30 zeros (the contract
# reads at most 40 digits, as a number from 1000000000 to 9999999999).
TYPED_PHONE_PATTERN = (
    r"^\s*(?:(?:\+91[ -]*)?(?:0[ -]*){0,30}[1-9](?:[ -]*[0-9]){9}"
    r"|\+?0{0,30}[1-9][0-9]{9}(?:\.0*)?)\s*$"
)


def phone_digits(text: str) -> str | None:
    """The digits of a phone number as typed, without +91 and separators; None when `text` is
    not written that way."""
    typed = _TYPED_PHONE.fullmatch(text.strip())
    if typed is None:
        return None
    return re.sub(r"[ -]", "", typed.group(1))


def typed_phone(value: Any) -> Any:
    """For the contract, before the whole-number check: typed text becomes its digits; anything
    else (a number, text of another shape) goes on as it came, to be judged there."""
    if type(value) is str:
        digits = phone_digits(value)
        if digits is not None:
            return digits
    return value
