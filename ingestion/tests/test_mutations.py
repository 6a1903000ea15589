"""Whatever is done to a workbook (its quoting, where its sheet part is and what it is called,
its declared dimension, a far cell, its compression), its job either ingests or fails with one
row-less message, within seconds, and this process goes on: a property over mutations of the
original files (../shared/data; the generated samples where they are absent)."""

import time
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.jobs import JobStatus
from ingestion.bounds import column_letters
from ingestion.samples import Plan, write_xlsx
from ingestion.tests.conftest import SHARED_DATA, ingest

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"
PLACES = ["xl/worksheets/sheet1.xml", "xl/data/grid.xml", "xl/sheet.bin",
          "XL/Worksheets/Sheet1.XML", "xl/worksheets/sheet1", "/xl/elsewhere/s.xml"]  # fmt: skip
COMPRESSIONS = [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]


def original_customers(folder: Path) -> Path:
    if (SHARED_DATA / "customer_data.xlsx").is_file():
        return SHARED_DATA / "customer_data.xlsx"
    customers, _ = write_xlsx(Plan(customers=300, loans_per_customer=0), folder, date.today())
    return customers


Reach = tuple[int, int]  # a column number and a row


@dataclass(frozen=True)
class Mutation:
    single_quotes: bool
    place: str
    dimension: Reach | None
    far_cell: Reach | None
    lower_case: bool
    no_reference: bool
    compression: int


reach = st.tuples(st.integers(1, 20_000), st.integers(1, 3_000_000))
mutations = st.builds(
    Mutation,
    single_quotes=st.booleans(),
    place=st.sampled_from(PLACES),
    dimension=st.none() | reach,
    far_cell=st.none() | reach,
    lower_case=st.booleans(),
    no_reference=st.booleans(),
    compression=st.sampled_from(COMPRESSIONS),
)


def reference(column: int, row: int, lower_case: bool = False) -> bytes:
    letters = column_letters(column)
    return b"%s%d" % ((letters.lower() if lower_case else letters).encode(), row)


def with_dimension(sheet: bytes, corner: bytes) -> bytes:
    """The sheet declaring A1:corner: in place of its own declaration, or before its data where
    it has none (openpyxl, which writes the generated samples, declares none)."""
    declared = b'<dimension ref="A1:%s"/>' % corner
    if b"<dimension " in sheet:
        start = sheet.index(b"<dimension ")
        end = sheet.index(b"/>", start) + len(b"/>")
        return sheet[:start] + declared + sheet[end:]
    data = sheet.index(b"<sheetData")
    return sheet[:data] + declared + sheet[data:]


def mutate(original: Path, target: Path, change: Mutation) -> Path:
    with zipfile.ZipFile(original) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    sheet = parts.pop(SHEET)
    if change.dimension is not None:
        sheet = with_dimension(sheet, reference(*change.dimension))
    if change.far_cell is not None:
        column, row = change.far_cell
        cell = b'<c r="%s"><v>1</v></c>' % reference(column, row, change.lower_case)
        if change.no_reference:
            cell = b"<c><v>1</v></c>" * min(column, 200)
        sheet = sheet.replace(b"</sheetData>", b'<row r="%d">%s</row></sheetData>' % (row, cell))
    if change.single_quotes:
        sheet = sheet.replace(b'"', b"'")
    parts[change.place.lstrip("/")] = sheet
    named = change.place if change.place.startswith("/") else change.place.removeprefix("xl/")
    rels = "xl/_rels/workbook.xml.rels"
    parts[rels] = parts[rels].replace(b"worksheets/sheet1.xml", named.encode())
    with zipfile.ZipFile(target, "w", compression=change.compression) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return target


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(change=mutations)
def test_every_mutation_ingests_or_fails_its_job_cleanly_and_quickly(tmp_path, change):
    original = original_customers(tmp_path / "samples")
    path = mutate(original, tmp_path / "mutated.xlsx", change)
    started = time.monotonic()
    job = ingest(customers=path)
    assert time.monotonic() - started < 30
    if job.status == JobStatus.FAILED:
        [error] = job.errors  # the file as a whole; a header lost to a far cell names its row
        assert error["file"] == "customers"
        if error["row"] is not None:
            assert error["message"].startswith("Missing required column")
        else:
            assert error["column"] is None
            assert error["message"]
    else:
        assert job.status == JobStatus.SUCCEEDED
        assert job.processed_rows == job.total_rows > 0
