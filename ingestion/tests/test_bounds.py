"""Spreadsheets cannot exhaust the worker: a workbook over a limit is refused before any reader
opens it, and its job fails with the limit named, within seconds."""

import dataclasses
import time
import zipfile
from pathlib import Path

import pytest

from core.jobs import JobStatus
from ingestion import bounds
from ingestion.bounds import Bounds, check_workbook
from ingestion.readers import UnreadableFile
from ingestion.tests import bombs
from ingestion.tests.conftest import SHARED_DATA, customer, ingest

pytestmark = pytest.mark.django_db

BOUNDS = Bounds(
    max_bytes=1500 * 1024 * 1024, max_rows=2_000_000, max_columns=64, max_cell_chars=32_767
)


def test_a_far_away_cell_is_refused(tmp_path):
    with pytest.raises(UnreadableFile) as refused:
        check_workbook(bombs.far_away_cell(tmp_path / "far.xlsx"), BOUNDS)
    assert refused.value.message == (
        "The sheet reaches column XFD: at most 64 columns are read (INGEST_MAX_COLUMNS)."
    )


def test_a_highly_compressed_sheet_of_millions_of_rows_is_refused_at_the_first_row_too_far(
    tmp_path,
):
    """Refused as the parse reaches the first row past the limit, the rest unread."""
    bomb = bombs.compressed_millions(tmp_path / "rows.xlsx")
    assert bomb.stat().st_size < 20 * 1024 * 1024
    fewer_rows = Bounds(
        max_bytes=1500 * 1024 * 1024, max_rows=200_000, max_columns=64, max_cell_chars=32_767
    )
    started = time.process_time()
    with pytest.raises(UnreadableFile) as refused:
        check_workbook(bomb, fewer_rows)
    assert refused.value.message == (
        "The sheet reaches row 200001: at most 200000 rows are read (INGEST_MAX_ROWS)."
    )
    assert time.process_time() - started < 5


def test_more_decompressed_bytes_than_allowed_are_refused(tmp_path):
    bomb = bombs.compressed_millions(tmp_path / "rows.xlsx", rows=200_000)
    small = Bounds(max_bytes=1024 * 1024, max_rows=2_000_000, max_columns=64, max_cell_chars=100)
    with pytest.raises(UnreadableFile) as refused:
        check_workbook(bomb, small)
    assert refused.value.message == (
        "The workbook holds more than 1 MB once decompressed (INGEST_MAX_UNCOMPRESSED_MB)."
    )


def test_a_cell_of_megabytes_is_refused(tmp_path):
    with pytest.raises(UnreadableFile) as refused:
        check_workbook(bombs.cell_of(tmp_path / "long.xlsx", 5_000_000), BOUNDS)
    assert refused.value.message == (
        "A cell holds more than 32767 characters (INGEST_MAX_CELL_CHARS)."
    )


def test_a_cell_at_the_limit_and_ordinary_workbooks_pass(tmp_path, customers_file):
    check_workbook(bombs.cell_of(tmp_path / "ok.xlsx", 32_767), BOUNDS)
    check_workbook(customers_file(customer(1)), BOUNDS)


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason=f"{SHARED_DATA} is absent (CI has it)")
def test_the_original_files_pass():
    for name in ("customer_data.xlsx", "loan_data.xlsx"):
        check_workbook(SHARED_DATA / name, BOUNDS)


def test_what_is_not_an_xlsx_workbook_is_unreadable(tmp_path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "other.zip", "w") as archive:
        archive.writestr("content.xml", "<x/>")
    with pytest.raises(UnreadableFile, match=r"Not a readable \.xlsx workbook"):
        check_workbook(tmp_path / "other.zip", BOUNDS)
    (tmp_path / "torn.xlsx").write_bytes(
        Path(bombs.far_away_cell(tmp_path / "f.xlsx")).read_bytes()[:900]
    )
    with pytest.raises(UnreadableFile, match=r"Not a readable \.xlsx workbook"):
        check_workbook(tmp_path / "torn.xlsx", BOUNDS)


def test_the_job_of_an_upload_over_a_limit_fails_naming_it(tmp_path):
    job = ingest(customers=bombs.far_away_cell(tmp_path / "far.xlsx"))
    assert job.status == JobStatus.FAILED
    assert job.errors == [
        {
            "file": "customers",
            "row": None,
            "column": None,
            "message": "The sheet reaches column XFD: at most 64 columns are read "
            "(INGEST_MAX_COLUMNS).",
        }
    ]


def test_an_upload_over_the_cap_is_a_413_and_stores_nothing(api, settings, ingest_dir):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ingestion.models import IngestionJob

    settings.INGEST_MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("c.xlsx", b"PK\x03\x04" + b"0" * (1024 * 1024))
    response = api.post("/ingest", {"customers": big}, format="multipart")
    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "request_too_large",
        "message": "An upload may be at most 1 MB (INGEST_MAX_UPLOAD_MB).",
        "fields": {},
    }
    assert not IngestionJob.objects.exists()
    assert not ingest_dir.exists() or not any(ingest_dir.iterdir())


# The crafted workbooks of issue 18: each passed the check that matched double-quoted
# attributes in parts named .xml under xl/worksheets/.
CRAFTED = [
    (bombs.single_quoted_far_cell, "column XFD: at most 64 columns"),
    (bombs.sheet_outside_worksheets, "column BZ: at most 64 columns"),
    (bombs.sheet_not_named_xml, "column BZ: at most 64 columns"),
]


@pytest.mark.parametrize(("make", "reach"), CRAFTED, ids=[make.__name__ for make, _ in CRAFTED])
def test_the_crafted_workbooks_of_issue_18_are_refused(tmp_path, make, reach):
    with pytest.raises(UnreadableFile) as refused:
        check_workbook(make(tmp_path / "crafted.xlsx"), BOUNDS)
    assert refused.value.message == f"The sheet reaches {reach} are read (INGEST_MAX_COLUMNS)."


@pytest.mark.parametrize(
    ("row", "message"),
    [
        # Lower-case references: calamine reads them.
        (b'<row r="2"><c r="bm2"><v>1</v></c></row>', "column BM: at most 64 columns"),
        # Cells without a reference take the next column: the 65th is BM.
        (b"<row>" + b"<c><v>1</v></c>" * 65 + b"</row>", "column BM: at most 64 columns"),
        # A character reference in an attribute is the character it names.
        (b'<row r="2"><c r="&#88;FD2"><v>1</v></c></row>', "column XFD: at most 64 columns"),
        # A prefix on the elements, spaces around the equals sign.
        (
            b'<x:row xmlns:x="urn:x" r = "2000001"><x:c><x:v>1</x:v></x:c></x:row>',
            "row 2000001: at most 2000000 rows",
        ),
        # Rows without a reference count on from the last one.
        (b'<row r="2000000"/><row><c><v>1</v></c></row>', "row 2000001: at most 2000000 rows"),
    ],
)
def test_references_are_read_as_a_reader_reads_them(tmp_path, row, message):
    with pytest.raises(UnreadableFile) as refused:
        check_workbook(bombs.sheet_not_named_xml(tmp_path / "sheet.xlsx", [row]), BOUNDS)
    limit = "INGEST_MAX_COLUMNS" if "column" in message else "INGEST_MAX_ROWS"
    assert refused.value.message == f"The sheet reaches {message} are read ({limit})."


def test_a_declared_dimension_past_the_limits_is_refused(tmp_path):
    dimension = (
        b'<dimension ref=\'A1:A2000001\'/><sheetData><row r="2"><c r="A2"><v>1</v></c></row>'
    )
    path = bombs.sheet_outside_worksheets(tmp_path / "dimension.xlsx", [])
    raw = zipfile.ZipFile(path)
    sheet = raw.read("xl/data/grid.xml").replace(b"<sheetData>", dimension, 1)
    copy = tmp_path / "copy.xlsx"
    with zipfile.ZipFile(copy, "w") as archive:
        for info in raw.infolist():
            data = sheet if info.filename == "xl/data/grid.xml" else raw.read(info)
            archive.writestr(info.filename, data)
    with pytest.raises(UnreadableFile) as refused:
        check_workbook(copy, BOUNDS)
    assert refused.value.message == (
        "The sheet reaches row 2000001: at most 2000000 rows are read (INGEST_MAX_ROWS)."
    )


def test_a_document_type_declaration_is_refused_before_any_entity_is_expanded(tmp_path):
    laughs = (
        b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    )
    path = bombs.sheet_outside_worksheets(tmp_path / "dtd.xlsx", [b"<row>&b;</row>"])
    raw = zipfile.ZipFile(path)
    sheet = raw.read("xl/data/grid.xml").replace(b"?>", b"?>" + laughs, 1)
    copy = tmp_path / "copy.xlsx"
    with zipfile.ZipFile(copy, "w") as archive:
        for info in raw.infolist():
            data = sheet if info.filename == "xl/data/grid.xml" else raw.read(info)
            archive.writestr(info.filename, data)
    with pytest.raises(UnreadableFile, match=r"Not a readable \.xlsx workbook"):
        check_workbook(copy, BOUNDS)


# --- The plain scan: it vouches for a part only where the element parse lets it through ----


def _parse_only(monkeypatch):
    """Every part parsed element by element, as before the scan: the verdict to match."""

    def hand_over(self, chunk, final):
        raise bounds._NeedsParse

    monkeypatch.setattr(bounds._PlainScan, "feed", hand_over)


def _streams(monkeypatch):
    """(part, read by the scan) for every part streamed, in order."""
    streamed = []
    stream = bounds._Check._stream

    def spy(self, position, info, feed):
        streamed.append(
            (info.filename, isinstance(getattr(feed, "__self__", None), bounds._PlainScan))
        )
        return stream(self, position, info, feed)

    monkeypatch.setattr(bounds._Check, "_stream", spy)
    return streamed


def _rewritten_sheet(path: Path, rewrite) -> Path:
    """A copy of the workbook at `path` with its sheet (xl/sheet.bin) rewritten."""
    copy = path.with_name("copy-" + path.name)
    with zipfile.ZipFile(path) as raw, zipfile.ZipFile(copy, "w") as archive:
        for info in raw.infolist():
            data = raw.read(info)
            archive.writestr(
                info.filename, rewrite(data) if info.filename == "xl/sheet.bin" else data
            )
    return copy


LETTERS = [bounds.column_letters(n) for n in range(1, 703)] + ["AAA", "XFC", "XFD", "XFE", "ZZZ"]
# Row numbers around the limits tried, leading zeros too.
DIGITS = [
    *("0", "1", "09", "9", "10", "199999", "200000", "200001", "0200000", "0200001", "999999"),
    *("1000000", "1999999", "2000000", "2000001", "02000000", "9999999", "10000000"),
]


@pytest.mark.parametrize(("max_rows", "max_columns"), [(2_000_000, 64), (200_000, 16_384), (9, 26)])
def test_the_scan_vouches_for_exactly_the_references_the_parse_lets_through(max_rows, max_columns):
    """The scan's pattern and the parse's handlers are two forms of one bound: over every
    column up to ZZ and rows around the limits, a plain reference is vouched for if and only
    if the parse lets its cell (or its row, or a dimension of two such corners) through."""
    limits = Bounds(max_bytes=1, max_rows=max_rows, max_columns=max_columns, max_cell_chars=1)
    handlers = bounds._Part(limits, bounds._Structure())._reach_handlers()
    unvouched = bounds._unvouched(max_rows, max_columns)

    def passes(handler, attributes):
        try:
            handler(attributes)
        except UnreadableFile:
            return False
        return True

    for digits in DIGITS:
        row = f'<row r="{digits}">'.encode()
        assert (unvouched.search(row) is None) == passes(handlers["row"], {"r": digits}), digits
        for letters in LETTERS:
            reference = letters + digits
            cell = f'<c r="{reference}" t="n">'.encode()
            assert (unvouched.search(cell) is None) == passes(handlers["c"], {"r": reference})
            span = f"A1:{reference}"
            dimension = f'<dimension ref="{span}"/>'.encode()
            assert (unvouched.search(dimension) is None) == passes(
                handlers["dimension"], {"ref": span}
            )


def test_a_plain_workbook_is_vouched_for_without_the_element_parse(monkeypatch, customers_file):
    streamed = _streams(monkeypatch)
    check_workbook(customers_file(customer(1), customer(2)), BOUNDS)
    sheets = [(name, by_scan) for name, by_scan in streamed if name.startswith("xl/worksheets/")]
    assert sheets == [("xl/worksheets/sheet1.xml", True)]


def test_a_part_the_scan_hands_over_is_parsed_again_and_its_bytes_counted_once(
    monkeypatch, tmp_path
):
    """Lower-case references are within the bounds, but not the plain form: the parse lets the
    sheet through, the total counting the sheet once."""
    path = bombs.sheet_not_named_xml(tmp_path / "lower.xlsx", [b'<row r="2"><c r="bl2"/></row>'])
    total = sum(info.file_size for info in zipfile.ZipFile(path).infolist())
    streamed = _streams(monkeypatch)
    check_workbook(path, dataclasses.replace(BOUNDS, max_bytes=total))
    assert [by_scan for name, by_scan in streamed if name == "xl/sheet.bin"] == [True, False]
    with pytest.raises(UnreadableFile, match="more than 0 MB once decompressed"):
        check_workbook(path, dataclasses.replace(BOUNDS, max_bytes=total - 1))


SCAN_CANNOT_SEE = {
    # UTF-16 (no byte order mark: expat guesses it from the NULs): no byte spells '<c r='.
    "utf-16": (
        lambda sheet: sheet.replace(b"A2", b"XFD2").decode().encode("utf-16-le"),
        "The sheet reaches column XFD: at most 64 columns are read (INGEST_MAX_COLUMNS).",
    ),
    # A reference given twice: expat refuses the part, a lenient reader might take the second.
    "twice": (
        lambda sheet: sheet.replace(b'r="A2"', b'r="A2" r="XFD2"'),
        bounds.NOT_A_WORKBOOK,
    ),
    # Text in CDATA may hold a '<', which the byte count of long texts stops at.
    "cdata": (
        lambda sheet: sheet.replace(
            b"<v>1</v>", b"<is><t><![CDATA[<" + b"a" * 40_000 + b"]]></t></is>"
        ),
        "A cell holds more than 32767 characters (INGEST_MAX_CELL_CHARS).",
    ),
    # A comment hides nothing from the parse, which lets the sheet through.
    "comment": (lambda sheet: sheet.replace(b"<row", b'<!-- <c r="XFD2"> --><row', 1), None),
}


@pytest.mark.parametrize("case", SCAN_CANNOT_SEE)
def test_what_the_scan_cannot_vouch_for_gets_the_parse_s_verdict(monkeypatch, tmp_path, case):
    rewrite, message = SCAN_CANNOT_SEE[case]
    plain = bombs.sheet_not_named_xml(
        tmp_path / "plain.xlsx", [b'<row r="2"><c r="A2"><v>1</v></c></row>']
    )
    path = _rewritten_sheet(plain, rewrite)

    def verdict():
        try:
            check_workbook(path, BOUNDS)
        except UnreadableFile as refused:
            return refused.message
        return None

    assert verdict() == message
    _parse_only(monkeypatch)
    assert verdict() == message
