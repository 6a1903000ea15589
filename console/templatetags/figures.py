"""How the console writes numbers: money and rates with exactly two decimals, grouped the way
Indian figures are (12,34,567.89); counts grouped the same way; a sum of rupees with its sign
held to the figure by a no-break space, so that "₹" never wraps onto a line of its own; an
amount being typed echoed in figures and words (₹ 10,00,000 · ten lakh)."""

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.dateformat import format as date_format

register = template.Library()


def _grouped(digits: str) -> str:
    """12,34,567: the last three digits, then pairs."""
    if len(digits) <= 3:
        return digits
    head, tail = digits[:-3], digits[-3:]
    pairs = [head[max(0, end - 2) : end] for end in range(len(head), 0, -2)]
    return ",".join(reversed(pairs)) + "," + tail


@register.filter
def money(value: Any) -> str:
    """A Decimal (or an int, or text of a number) with two decimals; blank for None."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    sign = "−" if amount < 0 else ""
    whole, _, cents = f"{abs(amount):f}".partition(".")
    return f"{sign}{_grouped(whole)}.{cents}"


@register.filter
def count(value: Any) -> str:
    if value is None:
        return ""
    number = int(value)
    return ("−" if number < 0 else "") + _grouped(str(abs(number)))


def day(value: date) -> str:
    """07 Dec 2026: the console's date, as its templates write it (|date:"d M Y")."""
    return date_format(value, "d M Y")


@register.filter
def rupees(value: Any) -> str:
    """₹ 12,34,567.89; blank for None."""
    written = money(value)
    return f"₹\u00a0{written}" if written else ""


# What the echo reads as an amount: rupees (up to 15 digits) and at most two decimals.
_TYPED_AMOUNT = re.compile(r"^\s*(\d{1,15})(?:\.(\d{1,2}))?\s*$")
_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_UNITS = ((10**7, "crore"), (10**5, "lakh"), (1000, "thousand"), (100, "hundred"))


def in_words(number: int) -> str:
    """2,53,239 → two lakh fifty-three thousand two hundred thirty-nine: crore, lakh, thousand
    and hundred, as Indian amounts are said (a crore of crores is "one crore crore")."""
    parts = []
    for size, name in _UNITS:
        if number >= size:
            parts.append(f"{in_words(number // size)} {name}")
            number %= size
    if number >= 20:
        parts.append(_TENS[number // 10] + (f"-{_ONES[number % 10]}" if number % 10 else ""))
    elif number or not parts:
        parts.append(_ONES[number])
    return " ".join(parts)


@register.filter
def amount_echo(value: Any) -> str:
    """The amount field's echo as one types: "₹ 10,00,000 · ten lakh", paise after the
    rupees ("₹ 12.50 · twelve and fifty paise"); blank for what is not an amount. console.js
    writes the same as one types (amountEcho); a browser test holds the two equal."""
    typed = _TYPED_AMOUNT.match("" if value is None else str(value))
    if typed is None:
        return ""
    whole, paise = int(typed[1]), int((typed[2] or "0").ljust(2, "0"))
    figure = f"₹\u00a0{_grouped(str(whole))}" + (f".{paise:02d}" if paise else "")
    words = in_words(whole) + (f" and {in_words(paise)} paise" if paise else "")
    return f"{figure} · {words}"
