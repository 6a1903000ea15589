"""Crafted workbooks that would exhaust a reader, made by the tests themselves."""

import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import openpyxl

from ingestion.samples import CUSTOMER_HEADERS

GOOD_ROW = [1.0, "Ann", "Lee", 30.0, 9000000001.0, 50000.0, 1800000.0]


def far_away_cell(path: Path) -> Path:
    """A good customers sheet with one more cell, at XFD1048576: 17 billion cells to a reader
    that builds the sheet's grid."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(CUSTOMER_HEADERS))
    sheet.append(GOOD_ROW)
    sheet["XFD1048576"] = "x"
    workbook.save(path)
    return path


def cell_of(path: Path, characters: int) -> Path:
    """A customers sheet whose second row's first name has `characters` characters (openpyxl
    writes at most Excel's 32,767: a longer one is written into the XML by hand)."""
    if characters <= 32_767:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(list(CUSTOMER_HEADERS))
        sheet.append([GOOD_ROW[0], "A" * characters, *GOOD_ROW[2:]])
        workbook.save(path)
        return path
    text = b'<c r="B2" t="inlineStr"><is><t>' + b"A" * characters + b"</t></is></c>"
    return _workbook(path, [b'<row r="2">' + text + b"</row>"])


def _rows(count: int) -> Iterator[bytes]:
    yield b'<row r="1"><c r="A1" t="inlineStr"><is><t>Customer ID</t></is></c></row>'
    for number in range(2, count + 2):
        yield b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (number, number)


def compressed_millions(path: Path, rows: int = 3_000_000) -> Path:
    """A sheet of `rows` rows, written straight into a deflated zip: about 15 MB on disk for
    three million, over 130 MB once decompressed."""
    return _workbook(path, _rows(rows))


def _workbook(path: Path, rows: Iterable[bytes]) -> Path:
    """The smallest zip a reader takes for a workbook, its first sheet's rows as given."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", b'<?xml version="1.0"?><workbook/>')
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet><sheetData>')
            batch: list[bytes] = []
            for row in rows:
                batch.append(row)
                if len(batch) == 100_000:
                    sheet.write(b"".join(batch))
                    batch.clear()
            sheet.write(b"".join(batch))
            sheet.write(b"</sheetData></worksheet>")
    return path
