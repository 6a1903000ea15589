"""CSV that is safe to open in a spreadsheet: every file the service writes goes through here.

A text cell starting with =, +, -, @, a tab or a carriage return is what Excel, LibreOffice and
Google Sheets would run as a formula (CSV injection); such a cell is written with a leading
apostrophe, which they show as text. Numbers and dates are written as they are.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def neutralized(cell: Any) -> Any:
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def write_csv(out: Writable, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    for line in csv_lines(header, rows):
        out.write(line)


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The CSV one line at a time, for a streamed download of many rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in chain([header], rows):
        writer.writerow([neutralized(cell) for cell in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
