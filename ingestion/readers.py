"""Streaming spreadsheet readers and header matching.

python-calamine is the fast reader (Rust; about 12 s and 0.6 GB for a million loan rows);
openpyxl's read-only mode is the fallback when calamine cannot open a workbook, or on request
(INGEST_READER=openpyxl) where memory matters more than time (about 60 s, 0.1 GB).
"""

import logging
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

from ingestion.rows import is_blank

logger = logging.getLogger(__name__)

# An .xlsx (or .xlsm) workbook is a zip archive; ingestion.bounds checks what it holds.
_SIGNATURES = (b"PK\x03\x04",)


class UnreadableFile(Exception):
    """The file as a whole cannot be ingested: nothing of it is written."""

    def __init__(self, message: str, column: str | None = None, row: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column
        # The Excel row the problem is on (the header row for a missing column), if any.
        self.row = row


def looks_like_spreadsheet(head: bytes) -> bool:
    """A cheap check on the first bytes, so an upload of the wrong file is refused at once."""
    return head.startswith(_SIGNATURES)


def normalize_header(value: Any) -> str:
    return " ".join(str(value).split()).casefold() if value is not None else ""


@dataclass
class Sheet:
    """Data rows as (Excel row number, cells in the order of the requested columns)."""

    rows: Iterator[tuple[int, list[Any]]]
    # Rows below the header as the workbook declares them (trailing blank rows included).
    estimated_rows: int


def _column_positions(header: Sequence[Any], columns: Sequence[str], row: int) -> list[int]:
    """Where each column is in the header (Excel row `row`); UnreadableFile names the missing."""
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        positions.setdefault(normalize_header(cell), index)
    missing = [column for column in columns if normalize_header(column) not in positions]
    if missing:
        names = ", ".join(f"'{column}'" for column in missing)
        raise UnreadableFile(
            f"Missing required column{'s' if len(missing) > 1 else ''} {names}.",
            missing[0],
            row,
        )
    return [positions[normalize_header(column)] for column in columns]


def _picker(positions: Sequence[int]) -> Callable[[Sequence[Any]], list[Any]]:
    """The requested cells of a raw row, in order (itemgetter does the indexing in C)."""
    if len(positions) == 1:
        (position,) = positions
        return lambda raw: [raw[position]]
    get = itemgetter(*positions)
    return lambda raw: list(get(raw))


def _data_rows(
    raw_rows: Iterator[Sequence[Any]], columns: Sequence[str]
) -> Iterator[tuple[int, list[Any]]]:
    """The first non-blank row is the header; blank rows (trailing ones above all) are skipped."""
    number = 0
    positions: list[int] | None = None
    for raw in raw_rows:
        number += 1
        if positions is None:
            if all(is_blank(cell) for cell in raw):
                continue
            positions = _column_positions(raw, columns, number)
            width = max(positions) + 1
            pick = _picker(positions)
            continue
        if len(raw) < width:
            raw = [*raw, *([None] * (width - len(raw)))]
        cells = pick(raw)
        # A row is skipped only if every cell is blank: a filled first cell decides it at once.
        if is_blank(cells[0]) and all(is_blank(cell) for cell in cells):
            continue
        yield number, cells
    if positions is None:
        raise UnreadableFile("The first sheet is empty: expected a header row.")


@contextmanager
def open_sheet(path: Path, columns: Sequence[str], reader: str = "calamine") -> Iterator[Sheet]:
    """The workbook's first sheet; UnreadableFile if it is no spreadsheet or lacks a column."""
    if reader == "calamine":
        try:
            with _calamine(path, columns) as sheet:
                yield sheet
            return
        except _CalamineFailed as exc:
            logger.warning("calamine cannot read %s (%s); trying openpyxl", path.name, exc)
    with _openpyxl(path, columns) as sheet:
        yield sheet


class _CalamineFailed(Exception):
    pass


@contextmanager
def _calamine(path: Path, columns: Sequence[str]) -> Iterator[Sheet]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
    except (CalamineError, ValueError, OSError) as exc:
        raise _CalamineFailed(str(exc)) from exc
    try:
        yield Sheet(_data_rows(sheet.iter_rows(), columns), max(sheet.height - 1, 0))
    finally:
        workbook.close()


@contextmanager
def _openpyxl(path: Path, columns: Sequence[str]) -> Iterator[Sheet]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnreadableFile("Not a readable .xlsx workbook.") from exc
    try:
        sheet = workbook.worksheets[0]
        estimated = max((sheet.max_row or 1) - 1, 0)
        yield Sheet(_data_rows(sheet.iter_rows(values_only=True), columns), estimated)
    finally:
        workbook.close()
