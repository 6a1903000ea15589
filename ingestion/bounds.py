"""What a workbook may be before any reader opens it, so that no upload can exhaust the worker.

Both readers trust a sheet's cell references: a single cell at XFD1048576 makes calamine build
a grid of seventeen billion cells, and openpyxl pad every row to that width. A few MB of zip can
also hold gigabytes of XML, or one text of megabytes. So the workbook's XML is streamed once,
through zip's own decompression, counting what it holds, and refused (UnreadableFile, with a
message naming the limit) at the first sign of any of:

- more than INGEST_MAX_UNCOMPRESSED_MB once decompressed;
- a cell, row or declared dimension beyond INGEST_MAX_ROWS rows or INGEST_MAX_COLUMNS columns;
- a text longer than INGEST_MAX_CELL_CHARS characters (Excel itself stops at 32,767).

The scan costs about a second for a million rows (365 MB of XML). Only Office Open XML
workbooks (.xlsx, .xlsm) can be checked so, and only they are read.
"""

import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

from ingestion.readers import UnreadableFile

CHUNK = 1 << 20


@dataclass(frozen=True)
class Bounds:
    max_bytes: int
    max_rows: int
    max_columns: int
    max_cell_chars: int

    @classmethod
    def configured(cls) -> "Bounds":
        return cls(
            max_bytes=settings.INGEST_MAX_UNCOMPRESSED_MB * 1024 * 1024,
            max_rows=settings.INGEST_MAX_ROWS,
            max_columns=settings.INGEST_MAX_COLUMNS,
            max_cell_chars=settings.INGEST_MAX_CELL_CHARS,
        )


def column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number


def check_workbook(path: Path, bounds: Bounds | None = None) -> None:
    """UnreadableFile unless every part of the workbook at `path` is within `bounds`."""
    limits = bounds or Bounds.configured()
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise UnreadableFile("Not a readable .xlsx workbook.") from None
    with archive:
        names = archive.namelist()
        if "xl/workbook.xml" not in names:
            raise UnreadableFile("Not a readable .xlsx workbook.")
        total = 0
        for name in names:
            if name.endswith(".xml") or name.endswith(".rels"):
                total = _scan(archive, name, limits, total)


@dataclass(frozen=True)
class _Patterns:
    """The rare things the scan looks at closely; a sheet of ordinary cells matches none."""

    # A cell's or row's reference in a column past Z, or to a row of as many digits as the row
    # limit or more; the sheet's declared dimension (its last cell).
    far_column: re.Pattern[bytes]
    far_row: re.Pattern[bytes]
    dimension: re.Pattern[bytes]
    long_text: re.Pattern[bytes]


@cache
def _patterns(limits: Bounds) -> _Patterns:
    digits = len(str(limits.max_rows))
    return _Patterns(
        far_column=re.compile(rb'\br="([A-Z]{2,3})[0-9]'),
        far_row=re.compile(rb'\br="[A-Z]{0,3}([0-9]{%d,})"' % digits),
        dimension=re.compile(rb'<dimension ref="(?:[A-Z]+[0-9]+:)?([A-Z]+)([0-9]+)"'),
        long_text=re.compile(rb">[^<]{%d}" % (limits.max_cell_chars + 1)),
    )


def _scan(archive: zipfile.ZipFile, name: str, limits: Bounds, total: int) -> int:
    found = _patterns(limits)
    sheet = name.startswith("xl/worksheets/")
    for window in _windows(archive, name, limits.max_cell_chars + 64):
        total += len(window.new)
        if total > limits.max_bytes:
            raise UnreadableFile(
                f"The workbook holds more than {limits.max_bytes // (1024 * 1024)} MB once "
                "decompressed (INGEST_MAX_UNCOMPRESSED_MB)."
            )
        if sheet:
            _check_reach(window.text, found, limits)
        if found.long_text.search(window.text):
            raise UnreadableFile(
                f"A cell holds more than {limits.max_cell_chars} characters "
                "(INGEST_MAX_CELL_CHARS)."
            )
    return total


def _check_reach(text: bytes, found: _Patterns, limits: Bounds) -> None:
    columns = [match.group(1) for match in found.far_column.finditer(text)]
    rows = [int(match.group(1)) for match in found.far_row.finditer(text)]
    for match in found.dimension.finditer(text):
        columns.append(match.group(1))
        rows.append(int(match.group(2)))
    for column in columns:
        if column_number(column) > limits.max_columns:
            raise UnreadableFile(
                f"The sheet reaches column {column.decode()}: at most {limits.max_columns} "
                "columns are read (INGEST_MAX_COLUMNS)."
            )
    for row in rows:
        if row > limits.max_rows:
            raise UnreadableFile(
                f"The sheet reaches row {row}: at most {limits.max_rows} rows are read "
                "(INGEST_MAX_ROWS)."
            )


@dataclass(frozen=True)
class _Window:
    text: bytes  # the end of the previous chunk, then the new one
    new: bytes


def _windows(archive: zipfile.ZipFile, name: str, overlap: int) -> Iterator[_Window]:
    """The part's decompressed bytes a chunk at a time, each with the end of the one before,
    so a pattern that spans two chunks is still seen whole."""
    before = b""
    try:
        with archive.open(name) as part:
            while chunk := part.read(CHUNK):
                yield _Window(before + chunk, chunk)
                before = chunk[-overlap:]
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
        raise UnreadableFile("Not a readable .xlsx workbook.") from None
