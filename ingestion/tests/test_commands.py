import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

from conftest import TODAY
from customers.models import Customer
from ingestion import progress
from ingestion.models import IngestionJob
from ingestion.samples import CUSTOMER_HEADERS, LOAN_HEADERS, Plan, customer_rows, loan_rows
from ingestion.tests.conftest import customer, loan
from loans.models import Loan

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


class Terminal(io.StringIO):
    """What a command writes to a terminal: a stream whose isatty() says so."""

    def isatty(self) -> bool:
        return True


# tqdm's last state of a bar: what, how far, elapsed<left and the rate; padded with spaces over
# a longer state it drew before (which states it draws depends on timing: at most one a 0.1 s).
FINISHED_BAR = re.compile(
    r"\r([^\r]+): 100%\|#+\| (\d+)/(\d+) \[\d\d:\d\d<00:00, +[\d.]+ rows/s\] *\n$"
)
PLAIN_LINE = re.compile(
    r"^(.+) (\d+)/(\d+) rows \(\d+%\), +(\? |[\d.]+ )rows/s, (\?|\d\d:\d\d) left$"
)


def plain(line: str) -> tuple[str, ...]:
    """What a plain line says: what, how far, of how many."""
    said = PLAIN_LINE.match(line)
    assert said is not None, line
    return said.groups()[:3]


SUMMARY = (
    "Status: succeeded\n"
    "customers: created 1, updated 0, unchanged 0, rejected 0\n"
    "loans: created 1, updated 0, unchanged 0, rejected 2\n"
    "Errors (2):\n"
    "  loans row 3, Loan ID: Loan ID 10 of customer 1 already appears at row 2.\n"
    "  loans row 4, Customer ID: No customer with id 2.\n"
)


@pytest.fixture
def three_loans(customers_file, loans_file) -> list[str]:
    return [
        "--customers", str(customers_file(customer(1))),
        "--loans", str(loans_file(loan(1, 10), loan(1, 10), loan(2, 11))),
    ]  # fmt: skip


def test_ingest_data_on_a_terminal_draws_a_bar_then_the_summary_once(three_loans):
    out, err = io.StringIO(), Terminal()
    call_command("ingest_data", *three_loans, stdout=out, stderr=err)
    finished = FINISHED_BAR.search(err.getvalue())
    assert finished is not None, err.getvalue()
    assert finished.groups() == ("done", "4", "4")
    assert "\r" in err.getvalue()[: finished.start()]  # updated in place before that
    assert out.getvalue() == f"Ingestion job {IngestionJob.objects.get().pk}\n" + SUMMARY


def test_ingest_data_elsewhere_writes_plain_lines_then_the_summary_once(three_loans, monkeypatch):
    monkeypatch.setattr(progress, "PLAIN_EVERY_SECONDS", 0)  # a line for every update
    out, err = io.StringIO(), io.StringIO()
    call_command("ingest_data", *three_loans, stdout=out, stderr=err)
    lines = err.getvalue().splitlines()
    assert "\r" not in err.getvalue()
    shown = [plain(line) for line in lines]
    assert (shown[0], shown[-1]) == (("customers: reading", "0", "0"), ("done", "4", "4"))
    assert out.getvalue() == f"Ingestion job {IngestionJob.objects.get().pk}\n" + SUMMARY


def test_a_plain_line_says_rows_a_second_below_one_row_a_second_too():
    stream = io.StringIO()
    ticks = iter([100.0, 120.0])
    progress.Progress(stream, clock=lambda: next(ticks)).show(3, 10, "loans: writing")
    assert stream.getvalue() == "loans: writing 3/10 rows (30%),  0.15 rows/s, 00:46 left\n"


def test_plain_lines_come_at_most_every_ten_seconds_with_rate_and_time_left():
    ticks = iter([100.0, 105.0, 110.0, 115.0, 130.0])
    stream = io.StringIO()
    shown = progress.Progress(stream, clock=lambda: next(ticks))
    shown.show(20_000, 100_000, "loans: writing")  # at 105 s: too soon
    shown.show(40_000, 100_000, "loans: writing")
    shown.show(50_000, 100_000, "loans: writing")  # at 115 s: too soon
    shown.show(90_000, 100_000, "loans: merging")
    assert stream.getvalue() == (
        "loans: writing 40000/100000 rows (40%), 4000.00 rows/s, 00:15 left\n"
        "loans: merging 90000/100000 rows (90%), 3000.00 rows/s, 00:03 left\n"
    )


def test_generate_sample_data_shows_the_rows_it_writes(tmp_path):
    out, err = io.StringIO(), Terminal()
    call_command("generate_sample_data", "--customers", "20", "--xlsx", str(tmp_path),
                 stdout=out, stderr=err)  # fmt: skip
    finished = FINISHED_BAR.search(err.getvalue())
    assert finished is not None, err.getvalue()
    assert finished.groups() == ("writing loan_data.xlsx", "80", "80")
    assert out.getvalue() == (
        f"Wrote {tmp_path / 'customer_data.xlsx'} and {tmp_path / 'loan_data.xlsx'}\n"
    )


def test_generate_sample_data_into_the_database_shows_writing_then_ingesting(monkeypatch):
    monkeypatch.setattr(progress, "PLAIN_EVERY_SECONDS", 0)
    monkeypatch.setattr("ingestion.samples.PROGRESS_EVERY_ROWS", 25)
    out, err = io.StringIO(), io.StringIO()
    call_command("generate_sample_data", "--customers", "30", "--loans-per-customer", "2",
                 stdout=out, stderr=err)  # fmt: skip
    shown = [plain(line) for line in err.getvalue().splitlines()]
    assert shown[:4] == [
        ("writing customer_data.xlsx", "25", "90"),
        ("writing customer_data.xlsx", "30", "90"),
        ("writing loan_data.xlsx", "50", "90"),
        ("writing loan_data.xlsx", "75", "90"),
    ]
    assert shown[4] == ("writing loan_data.xlsx", "90", "90")
    assert shown[-1] == ("done", "90", "90")
    assert out.getvalue() == (
        "customers: created 30, updated 0, unchanged 0, rejected 0\n"
        "loans: created 60, updated 0, unchanged 0, rejected 0\n"
    )


def test_ingest_data_for_an_unknown_job_is_one_line():
    with pytest.raises(CommandError) as refused:
        call_command("ingest_data", "--job", "999")
    assert str(refused.value) == "No ingestion job with id 999."


def test_ingest_data_fails_loudly(tmp_path, capsys):
    with pytest.raises(CommandError, match="Give --customers PATH"):
        call_command("ingest_data")
    with pytest.raises(CommandError, match="No such file"):
        call_command("ingest_data", "--loans", str(tmp_path / "missing.xlsx"))
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    with pytest.raises(CommandError, match="The ingestion failed"):
        call_command("ingest_data", "--loans", str(bad))
    assert "Not a readable .xlsx workbook." in capsys.readouterr().out


def test_ingest_data_resumes_a_job(customers_file, capsys):
    from ingestion.jobs import create_job_for_paths

    job = create_job_for_paths({"customers": customers_file(customer(1))})
    call_command("ingest_data", "--job", str(job.pk))
    assert "Status: succeeded" in capsys.readouterr().out
    assert IngestionJob.objects.count() == 1


def test_generated_files_have_the_original_format_and_are_reproducible(tmp_path):
    call_command("generate_sample_data", "--customers", "20", "--loans-per-customer", "3",
                 "--seed", "5", "--xlsx", str(tmp_path / "a"))  # fmt: skip
    call_command("generate_sample_data", "--customers", "20", "--loans-per-customer", "3",
                 "--seed", "5", "--xlsx", str(tmp_path / "b"))  # fmt: skip
    for name in ("customer_data.xlsx", "loan_data.xlsx"):
        first = CalamineWorkbook.from_path(str(tmp_path / "a" / name)).get_sheet_by_index(0)
        second = CalamineWorkbook.from_path(str(tmp_path / "b" / name)).get_sheet_by_index(0)
        assert first.to_python() == second.to_python()
    customers = CalamineWorkbook.from_path(str(tmp_path / "a" / "customer_data.xlsx"))
    loans = CalamineWorkbook.from_path(str(tmp_path / "a" / "loan_data.xlsx"))
    customer_sheet = customers.get_sheet_by_index(0).to_python()
    loan_sheet = loans.get_sheet_by_index(0).to_python()
    assert tuple(customer_sheet[0]) == CUSTOMER_HEADERS
    assert tuple(loan_sheet[0]) == LOAN_HEADERS
    assert (len(customer_sheet), len(loan_sheet)) == (21, 61)
    assert len({row[4] for row in customer_sheet[1:]}) == 20  # phone numbers are unique


def test_generated_files_keep_the_original_headers_in_order():
    # Spelled out: the headers come from the ingestion's fields, but the files must not change.
    assert CUSTOMER_HEADERS == (
        "Customer ID", "First Name", "Last Name", "Age", "Phone Number", "Monthly Salary",
        "Approved Limit",
    )  # fmt: skip
    assert LOAN_HEADERS == (
        "Customer ID", "Loan ID", "Loan Amount", "Tenure", "Interest Rate", "Monthly payment",
        "EMIs paid on Time", "Date of Approval", "End Date",
    )  # fmt: skip


def test_generated_loans_are_consistent():
    plan = Plan(customers=300, loans_per_customer=3, seed=1)
    rows: list[Any] = list(loan_rows(plan, TODAY))
    assert len(rows) == 900
    for _cid, _lid, amount, tenure, rate, emi, on_time, start, end in rows:
        assert amount > 0
        assert 8 <= rate <= 18
        assert emi > 0
        assert 0 <= on_time <= tenure
        assert end > start
    pairs = {(row[0], row[1]) for row in rows}
    assert len(pairs) == 900
    assert len({row[1] for row in rows}) < 900  # some Loan IDs are shared, as in the original
    assert len(list(customer_rows(plan))) == 300


def test_generate_into_the_database_is_idempotent(capsys):
    call_command("generate_sample_data", "--customers", "30", "--loans-per-customer", "2")
    assert "customers: created 30" in capsys.readouterr().out
    assert (Customer.objects.count(), Loan.objects.count()) == (30, 60)
    call_command("generate_sample_data", "--customers", "30", "--loans-per-customer", "2")
    out = capsys.readouterr().out
    assert "customers: created 0, updated 0, unchanged 30" in out
    assert "loans: created 0, updated 0, unchanged 60" in out


def test_generate_validates_its_arguments():
    with pytest.raises(CommandError, match="--customers must be at least 1"):
        call_command("generate_sample_data", "--customers", "0")


def test_ingest_data_for_an_unknown_job_prints_one_line_and_fails(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "LOG_LEVEL": "WARNING",  # without django-axes' start-up line
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, timeout=120)
    result = subprocess.run(
        [*manage, "ingest_data", "--job", "999"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stderr) == (
        1,
        "CommandError: No ingestion job with id 999.\n",
    )
