"""Spreadsheets cannot exhaust the worker: a workbook over a limit is refused before any reader
opens it, and its job fails with the limit named, within seconds."""

import time
import zipfile
from pathlib import Path

import pytest

from core.jobs import JobStatus
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
