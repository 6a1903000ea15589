"""Spreadsheets cannot exhaust the worker: a workbook over a limit is refused before any reader
opens it, and its job fails with the limit named, within seconds."""

import time
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
