"""The reader runs in a child process with hard limits: whatever a workbook makes it do, the job
fails with a row-less message naming the limit, and this process (the worker, the server) goes
on to ingest the next file."""

import pytest

from core.jobs import JobStatus
from customers.models import Customer
from ingestion import sandbox
from ingestion.models import StagedCustomer
from ingestion.tests import bombs
from ingestion.tests.conftest import customer, ingest

pytestmark = pytest.mark.django_db


def failed_with(job, message):
    assert job.status == JobStatus.FAILED
    assert job.errors == [{"file": "customers", "row": None, "column": None, "message": message}]
    assert job.counts["customers"] == {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}


def test_a_grid_within_the_bounds_but_past_the_memory_limit_fails_its_job(
    tmp_path, settings, customers_file
):
    settings.INGEST_READER_MEMORY_MB = 512
    job = ingest(customers=bombs.grid_within_bounds(tmp_path / "grid.xlsx"))
    failed_with(job, "Reading the file needs more than 512 MB of memory (INGEST_READER_MEMORY_MB).")
    assert ingest(customers=customers_file(customer(1))).status == JobStatus.SUCCEEDED


def test_the_issues_workbook_past_a_check_that_let_it_through_fails_by_the_memory_limit(
    tmp_path, settings, customers_file
):
    """With the columns' bound raised past XFD, the check passes the workbook that aborted a
    worker; calamine then asks for 512 GiB in the child, which the limit refuses."""
    settings.INGEST_MAX_COLUMNS = 16_384
    settings.INGEST_MAX_ROWS = 1_048_576
    settings.INGEST_READER_MEMORY_MB = 1024
    job = ingest(customers=bombs.single_quoted_far_cell(tmp_path / "far.xlsx"))
    failed_with(
        job, "Reading the file needs more than 1024 MB of memory (INGEST_READER_MEMORY_MB)."
    )
    assert ingest(customers=customers_file(customer(1))).status == JobStatus.SUCCEEDED


def test_a_reader_that_takes_too_long_is_stopped(tmp_path, settings, customers_file):
    settings.INGEST_READER_SECONDS = 0
    job = ingest(customers=customers_file(customer(1)))
    failed_with(job, "Reading the file took longer than 0 seconds (INGEST_READER_SECONDS).")


def test_a_reader_past_its_processor_time_is_stopped(tmp_path, settings):
    settings.INGEST_READER_CPU_SECONDS = 1
    job = ingest(customers=bombs.compressed_millions(tmp_path / "rows.xlsx", rows=1_500_000))
    failed_with(
        job,
        "Reading the file took more than 1 seconds of processor time (INGEST_READER_CPU_SECONDS).",
    )


def test_the_issues_workbook_fails_its_job_naming_the_limit(tmp_path, customers_file):
    job = ingest(customers=bombs.single_quoted_far_cell(tmp_path / "far.xlsx"))
    failed_with(
        job, "The sheet reaches column XFD: at most 64 columns are read (INGEST_MAX_COLUMNS)."
    )
    assert ingest(customers=customers_file(customer(1))).status == JobStatus.SUCCEEDED


def test_the_check_beside_the_reader_refuses_a_file_the_reader_reads(customers_file):
    """A row of 65 cells: calamine reads it in no time, the check refuses it. No row the reader
    sent is staged or stored."""
    job = ingest(customers=customers_file(customer(1), [*customer(2), *([1.0] * 58)]))
    failed_with(
        job, "The sheet reaches column BM: at most 64 columns are read (INGEST_MAX_COLUMNS)."
    )
    assert not StagedCustomer.objects.exists()
    assert not Customer.objects.exists()


def _reader_without_memory(monkeypatch):
    """The reader's child limited to 1 MB: it dies as it starts (it cannot even load calamine),
    surely before the check's child, which runs as usual, answers."""
    child = sandbox._child

    def starved(plan, deadline):
        return child({**plan, "memory_mb": 1} if plan["task"] == "read" else plan, deadline)

    monkeypatch.setattr(sandbox, "_child", starved)


def test_a_refusal_wins_over_the_reader_s_death(monkeypatch, tmp_path, customers_file):
    _reader_without_memory(monkeypatch)
    job = ingest(customers=bombs.single_quoted_far_cell(tmp_path / "far.xlsx"))
    failed_with(
        job, "The sheet reaches column XFD: at most 64 columns are read (INGEST_MAX_COLUMNS)."
    )
    # The same reader with a file the check lets through: its death is the message.
    job = ingest(customers=customers_file(customer(1)))
    failed_with(job, "Not a readable .xlsx workbook.")
