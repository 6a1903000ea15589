"""Spreadsheets the end-to-end tests upload, written with openpyxl."""

from pathlib import Path
from typing import Any

import openpyxl


def workbook(path: Path, headers: tuple[str, ...], rows: list[list[Any]]) -> Path:
    """`headers`, then `rows`, on the first sheet of a workbook saved at `path`."""
    sheet_book = openpyxl.Workbook()
    sheet = sheet_book.active
    for row in [list(headers), *rows]:
        sheet.append(row)
    sheet_book.save(path)
    return path
