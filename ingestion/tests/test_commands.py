from typing import Any

import pytest
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

from conftest import TODAY
from customers.models import Customer
from ingestion.models import IngestionJob
from ingestion.samples import CUSTOMER_HEADERS, LOAN_HEADERS, Plan, customer_rows, loan_rows
from ingestion.tests.conftest import customer, loan
from loans.models import Loan

pytestmark = pytest.mark.django_db


def test_ingest_data_prints_progress_counts_and_errors(capsys, customers_file, loans_file):
    call_command(
        "ingest_data",
        "--customers", str(customers_file(customer(1))),
        "--loans", str(loans_file(loan(1, 10), loan(1, 10), loan(2, 11))),
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert "[##############################] 4/4 rows" in err
    assert "Status: succeeded" in out
    assert "customers: created 1, updated 0, unchanged 0, rejected 0" in out
    assert "loans: created 1, updated 0, unchanged 0, rejected 2" in out
    assert "Errors (2):" in out
    assert "  loans row 4, Customer ID: No customer with id 2." in out


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
