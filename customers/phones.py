"""Phone numbers as people type them: "+91 98450 12345", "98450-12345" and 9845012345 are one
number. Free of Django (the contract and the search both read it)."""

import re
from dataclasses import dataclass
from typing import Any

# An optional +91, then digits in groups separated by spaces or dashes.
_TYPED_PHONE = re.compile(r"(?:\+91[ -]*)?([0-9]+(?:[ -]+[0-9]+)*)")


# What the contract accepts as text, for the OpenAPI document (held equal to the contract by
# customers/tests/test_phone_schema.py): around optional white space, either a number as typed
# (an optional +91, digits with spaces or dashes between them) or a plain whole number (a sign,
# a ".0" end), either way 10 digits from 1 to 9 first after at most 30 zeros (the contract
# reads at most 40 digits, as a number from 1000000000 to 9999999999). Without a ".", a +91 in
# front is the country code, so "+9100000000" is +91 and eight zeros, not a signed number.
TYPED_PHONE_PATTERN = (
    r"^\s*(?:(?:\+91[ -]*)?(?:0[ -]*){0,30}[1-9](?:[ -]*[0-9]){9}"
    r"|\+?0{0,30}[1-9][0-9]{9}\.0*"
    r"|\+(?:0{1,30}[1-9][0-9]{9}|[1-8][0-9]{9}|9[02-9][0-9]{8}))\s*$"
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


# A bare number this short is an id ("7" is customer 7), not a part of every phone with a 7.
PHONE_PART_DIGITS = 4


@dataclass(frozen=True, slots=True)
class SearchTerm:
    """One thing a search looks for: a part of a name, or digits. Digits may be a part of a
    phone number (`phone_part`) and, typed bare, an id (`number`)."""

    text: str
    phone_part: str | None = None
    number: int | None = None


def search_terms(query: str) -> list[SearchTerm]:
    """The one reading of a search box that customer and loan searches share.

    A query written as a phone number is typed ("+91 98450 12345", "98450-12345", "7 12") is
    one term: its digits joined, a part of a phone of any length, since the +91 or the grouping
    says it is a phone ("7 12" finds the phones holding 712, never customer 712). Otherwise each
    word is a term: a bare number is an id, and from PHONE_PART_DIGITS digits a part of a phone
    too; any other word is a part of a name."""
    digits = phone_digits(query)
    if digits is not None and digits != query.strip():
        return [SearchTerm(digits, phone_part=digits)]
    return [_word_term(word) for word in query.split()]


def _word_term(word: str) -> SearchTerm:
    if not (word.isascii() and word.isdigit()):
        return SearchTerm(word)
    return SearchTerm(
        word,
        phone_part=word if len(word) >= PHONE_PART_DIGITS else None,
        number=int(word),
    )
