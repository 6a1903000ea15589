import os
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from ingestion import jobs, services
from ingestion.samples import CUSTOMER_HEADERS, LOAN_HEADERS

# The original files live beside the project (../shared/data); SHARED_DATA_DIR can point elsewhere.
SHARED_DATA = Path(
    os.environ.get("SHARED_DATA_DIR") or Path(__file__).resolve().parents[3] / "shared" / "data"
)

Writer = Callable[..., Path]


def customer(cid: int, phone: int | None = None, **changes: Any) -> list[Any]:
    row = {
        "Customer ID": float(cid),
        "First Name": f"First{cid}",
        "Last Name": f"Last{cid}",
        "Age": 30.0,
        "Phone Number": float(phone or 9_000_000_000 + cid),
        "Monthly Salary": 50000.0,
        "Approved Limit": 1800000.0,
    }
    row.update(changes)
    return list(row.values())


def loan(cid: int, lid: int, **changes: Any) -> list[Any]:
    row = {
        "Customer ID": float(cid),
        "Loan ID": float(lid),
        "Loan Amount": 100000.0,
        "Tenure": 12.0,
        "Interest Rate": 10.5,
        "Monthly payment": 8815.0,
        "EMIs paid on Time": 4.0,
        "Date of Approval": date(2025, 1, 10),
        "End Date": date(2026, 1, 10),
    }
    row.update(changes)
    return list(row.values())


@pytest.fixture
def write_xlsx(tmp_path: Path) -> Writer:
    """A workbook with `header` then `rows` on its first sheet."""
    counter = iter(range(1000))

    def write(rows: Sequence[Sequence[Any]], header: Sequence[Any] = (), name: str = "") -> Path:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        for row in [list(header), *rows] if header else rows:
            sheet.append(list(row))
        path = tmp_path / (name or f"book{next(counter)}.xlsx")
        workbook.save(path)
        return path

    return write


@pytest.fixture
def customers_file(write_xlsx: Writer) -> Callable[..., Path]:
    return lambda *rows: write_xlsx(rows, CUSTOMER_HEADERS)


@pytest.fixture
def loans_file(write_xlsx: Writer) -> Callable[..., Path]:
    return lambda *rows: write_xlsx(rows, LOAN_HEADERS)


@pytest.fixture(autouse=True)
def ingest_dir(settings: Any, tmp_path: Path) -> Path:
    settings.INGEST_DIR = tmp_path / "ingest"
    return Path(settings.INGEST_DIR)


def ingest(customers: Path | None = None, loans: Path | None = None) -> Any:
    paths = {k: v for k, v in (("customers", customers), ("loans", loans)) if v is not None}
    job = jobs.create_job_for_paths(paths)
    services.run_job(job.pk)
    job.refresh_from_db()
    return job
