"""CSV that is safe to open in a spreadsheet: every file the service writes goes through here.

A text cell starting with =, +, -, @, a tab or a carriage return is what Excel, LibreOffice and
Google Sheets would run as a formula (CSV injection); such a cell is written with a leading
apostrophe, which they show as text. Numbers and dates are written as they are.
"""

import csv
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def neutralized(cell: Any) -> Any:
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def write_csv(out: Writable, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    writer = csv.writer(out)
    writer.writerow([neutralized(name) for name in header])
    writer.writerows([neutralized(cell) for cell in row] for row in rows)
