"""How the console writes numbers: money and rates with exactly two decimals, grouped the way
Indian figures are (12,34,567.89); counts grouped the same way; a sum of rupees with its sign
held to the figure by a no-break space, so that "₹" never wraps onto a line of its own."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template

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


@register.filter
def rupees(value: Any) -> str:
    """₹ 12,34,567.89; blank for None."""
    written = money(value)
    return f"₹\u00a0{written}" if written else ""
