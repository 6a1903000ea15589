"""A list's filtered rows leaving the console as CSV or as an Excel workbook, streamed: rows are
read from the database a chunk at a time and written out as they come, so a million rows never
sit in memory. Any list exports the same way: it names its columns (an `Export`) and hands over
its filtered rows; the page shows the two links (includes/exports.html).

Cells a spreadsheet would run as formulas are neutralized in both formats (core.csv). The
workbook is written by openpyxl's write-only mode, which keeps the rows in a temporary file, not
in memory, and is then sent in chunks."""

import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import chain, islice
from typing import Any

from django.http import Http404, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

from core.csv import csv_lines, neutralized

CHUNK_ROWS = 2000
CHUNK_BYTES = 64 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Column:
    title: str
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class Export:
    """What a list's export is called and which columns it has."""

    name: str
    columns: tuple[Column, ...]

    @property
    def header(self) -> list[str]:
        return [column.title for column in self.columns]

    def cells(self, rows: Iterable[Any]) -> Iterator[list[Any]]:
        for row in rows:
            yield [_plain(column.value(row)) for column in self.columns]


def _plain(value: Any) -> Any:
    """A time as the console's clock reads it, without its zone: spreadsheets keep none."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def export_response(export: Export, rows: Iterable[Any], file_format: str) -> StreamingHttpResponse:
    """The rows (an iterator, e.g. a QuerySet's .iterator()) as `file_format`, csv or xlsx;
    any other format is no such page. The first row is read before the answer starts, so that
    a database that cannot answer fails the request as any page does, not a file half sent."""
    if file_format not in FORMATS:
        raise Http404(f"No export as {file_format}.")
    iterator = iter(rows)
    rows = chain(list(islice(iterator, 1)), iterator)
    if file_format == "csv":
        body: Iterator[Any] = csv_lines(export.header, export.cells(rows))
        response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(_workbook(export, rows), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{export.name}.{file_format}"'
    return response


def _workbook(export: Export, rows: Iterable[Any]) -> Iterator[bytes]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(export.name)
    sheet.append(export.header)
    for cells in export.cells(rows):
        sheet.append([neutralized(cell) for cell in cells])
    with tempfile.TemporaryFile() as file:
        workbook.save(file)
        file.seek(0)
        while chunk := file.read(CHUNK_BYTES):
            yield chunk
