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


# The smallest package both readers take: content types, the relationships, one sheet.
_CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="xml" ContentType="application/xml"/><Default '
    b'Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)
_PACKAGE_RELS = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
    b'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships/worksheet" Target="%s"/></Relationships>'
)
HEADER_ROW = b'<row r="1"><c r="A1" t="inlineStr"><is><t>Customer ID</t></is></c></row>'

# The workbook of issue 18 that took a worker down: its one data row in single quotes.
SINGLE_QUOTED_ROW = b"<row r='1048576'><c r='XFD1048576' t='n'><v>1</v></c></row>"
# A cell at BZ20: 78 columns, past the 64 read.
BZ20_ROW = b'<row r="20"><c r="BZ20"><v>1</v></c></row>'


def single_quoted_far_cell(path: Path) -> Path:
    return _workbook(path, [HEADER_ROW, SINGLE_QUOTED_ROW])


def sheet_outside_worksheets(path: Path, rows: Iterable[bytes] = (BZ20_ROW,)) -> Path:
    """The sheet at xl/data/grid.xml, where the workbook's relationships say it is."""
    return _workbook(path, [HEADER_ROW, *rows], sheet="xl/data/grid.xml")


def sheet_not_named_xml(path: Path, rows: Iterable[bytes] = (BZ20_ROW,)) -> Path:
    """The sheet in a part named xl/sheet.bin."""
    return _workbook(path, [HEADER_ROW, *rows], sheet="xl/sheet.bin")


def grid_within_bounds(path: Path) -> Path:
    """Two cells, A1 and BL2000000: within 2,000,000 rows and 64 columns, yet a grid of 128
    million cells (4 GB) to calamine, which builds it whole."""
    return _workbook(path, [HEADER_ROW, b'<row r="2000000"><c r="BL2000000"><v>1</v></c></row>'])


def _workbook(path: Path, rows: Iterable[bytes], sheet: str = "xl/worksheets/sheet1.xml") -> Path:
    """The smallest package a reader takes for a workbook, its first sheet's rows as given,
    the sheet in the part named `sheet`."""
    target = sheet.removeprefix("xl/").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS % target)
        with archive.open(sheet, "w") as part:
            part.write(
                b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData>'
            )
            batch: list[bytes] = []
            for row in rows:
                batch.append(row)
                if len(batch) == 100_000:
                    part.write(b"".join(batch))
                    batch.clear()
            part.write(b"".join(batch))
            part.write(b"</sheetData></worksheet>")
    return path
