import dataclasses
import uuid
from datetime import date
from decimal import Decimal

import pytest

from core.jobs import JobBusy, JobStatus
from customers.models import Customer, CustomerOrigin
from customers.tests.factories import CustomerFactory
from ingestion import jobs, kinds, merge, services, staging
from ingestion.models import FileKind, IngestionJob, StagedCustomer, StagedLoan
from ingestion.samples import CUSTOMER_HEADERS
from ingestion.tests.conftest import customer, ingest, loan
from loans.models import Loan, LoanOrigin
from loans.tests.factories import LoanFactory

pytestmark = pytest.mark.django_db

ZERO = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}


def counts(created=0, updated=0, unchanged=0, rejected=0):
    return {"created": created, "updated": updated, "unchanged": unchanged, "rejected": rejected}


def test_good_rows_land_with_the_files_values(customers_file, loans_file):
    job = ingest(
        customers_file(customer(1, 9629317944, **{"Monthly Salary": 50000.0}), customer(2)),
        loans_file(loan(1, 5930, **{"Interest Rate": 8.2, "Monthly payment": 15344.0})),
    )
    assert job.status == JobStatus.SUCCEEDED
    assert job.counts == {"customers": counts(created=2), "loans": counts(created=1)}
    assert (job.processed_rows, job.total_rows) == (3, 3)
    assert job.errors == job.warnings == []
    assert job.started_at is not None
    assert job.finished_at is not None
    first = Customer.objects.get(pk=1)
    assert (first.phone_number, first.monthly_salary, first.approved_limit) == (
        9629317944,
        Decimal("50000.00"),
        Decimal("1800000.00"),  # the file's limit, not recomputed
    )
    stored = Loan.objects.get(pk=5930)
    assert stored.customer_id == 1
    assert stored.source_loan_id == 5930
    assert stored.origin == LoanOrigin.IMPORTED
    assert (stored.interest_rate, stored.monthly_installment) == (Decimal("8.20"), Decimal("15344"))
    assert (stored.start_date, stored.end_date, stored.emis_paid_on_time) == (
        date(2025, 1, 10),
        date(2026, 1, 10),
        4,
    )
    # Staging is emptied when the job ends.
    assert not StagedCustomer.objects.exists()
    assert not StagedLoan.objects.exists()


def test_every_bad_row_is_reported_with_excel_row_and_column(customers_file, loans_file):
    job = ingest(
        customers_file(
            customer(1),
            customer(2, None, **{"Monthly Salary": -5000.0}),  # row 3
            customer(3, None, **{"Age": "thirty"}),  # row 4
            customer(4),
        ),
        loans_file(
            loan(1, 10),
            loan(99, 11),  # row 3: unknown customer
            loan(4, 12, **{"Date of Approval": "2021-02-30"}),  # row 4: impossible date
            loan(4, 13, **{"Loan Amount": "lots"}),  # row 5: text in a numeric column
            loan(2, 14),  # row 6: the customer's own row was rejected
            loan(4, 15),
        ),
    )
    assert job.status == JobStatus.SUCCEEDED
    assert job.errors == [
        {"file": "customers", "row": 3, "column": "Monthly Salary",
         "message": "Must be greater than 0, got -5000.0."},
        {"file": "customers", "row": 4, "column": "Age",
         "message": "Must be a whole number, got 'thirty'."},
        {"file": "loans", "row": 3, "column": "Customer ID", "message": "No customer with id 99."},
        {"file": "loans", "row": 4, "column": "Date of Approval",
         "message": "Must be a valid date (YYYY-MM-DD), got '2021-02-30'."},
        {"file": "loans", "row": 5, "column": "Loan Amount",
         "message": "Must be a number, got 'lots'."},
        {"file": "loans", "row": 6, "column": "Customer ID", "message": "No customer with id 2."},
    ]  # fmt: skip
    assert job.counts == {
        "customers": counts(created=2, rejected=2),
        "loans": counts(created=2, rejected=4),
    }
    assert sorted(Customer.objects.values_list("pk", flat=True)) == [1, 4]
    assert sorted(Loan.objects.values_list("pk", flat=True)) == [10, 15]


def test_loan_rules_across_cells_reject_their_rows_while_good_rows_land(customers_file, loans_file):
    job = ingest(
        customers_file(customer(1)),
        loans_file(
            loan(1, 10),
            loan(1, 11, **{"Tenure": 12.0, "EMIs paid on Time": 13.0}),  # row 3
            loan(1, 12, **{"End Date": date(2025, 1, 10)}),  # row 4: the approval day itself
            loan(1, 13, **{"End Date": date(2024, 12, 31)}),  # row 5: before approval
            loan(1, 14, **{"EMIs paid on Time": 12.0}),  # the whole tenure paid: fine
        ),
    )
    assert job.status == JobStatus.SUCCEEDED
    assert job.errors == [
        {"file": "loans", "row": 3, "column": "EMIs paid on Time",
         "message": "Must not exceed the tenure (12), got 13."},
        {"file": "loans", "row": 4, "column": "End Date",
         "message": "Must be after the Date of Approval (2025-01-10), got 2025-01-10."},
        {"file": "loans", "row": 5, "column": "End Date",
         "message": "Must be after the Date of Approval (2025-01-10), got 2024-12-31."},
    ]  # fmt: skip
    assert job.counts == {"customers": counts(created=1), "loans": counts(created=2, rejected=3)}
    assert sorted(Loan.objects.values_list("pk", flat=True)) == [10, 14]


@pytest.mark.parametrize("reader", ["calamine", "openpyxl"])
def test_trailing_blank_rows_leave_the_total_at_the_rows_read(settings, write_xlsx, reader):
    settings.INGEST_READER = reader
    blank = [None] * len(CUSTOMER_HEADERS)
    path = write_xlsx([customer(1), customer(2), blank, blank, blank], CUSTOMER_HEADERS)
    job = ingest(path)
    assert job.status == JobStatus.SUCCEEDED
    assert (job.processed_rows, job.total_rows) == (2, 2)
    assert job.files["customers"]["rows"] == 2
    assert job.errors == job.warnings == []
    assert job.counts["customers"] == counts(created=2)


def test_duplicates_inside_a_file_keep_the_first_row(customers_file, loans_file):
    job = ingest(
        customers_file(
            customer(1, 9000000001),
            customer(1, 9000000002),  # row 3: id again
            customer(2, 9000000001),  # row 4: phone again
        ),
        loans_file(loan(1, 10), loan(1, 10, **{"Loan Amount": 5.0})),
    )
    assert [(e["row"], e["column"], e["message"]) for e in job.errors] == [
        (3, "Customer ID", "Customer ID 1 already appears at row 2."),
        (4, "Phone Number", "Phone number 9000000001 already appears at row 2."),
        (3, "Loan ID", "Loan ID 10 of customer 1 already appears at row 2."),
    ]
    assert Loan.objects.get().loan_amount == Decimal("100000.00")


def test_a_salary_the_api_would_refuse_is_rejected(customers_file):
    job = ingest(
        customers_file(
            customer(1, None, **{"Monthly Salary": 1_000_000_000.0}),
            customer(2, None, **{"Monthly Salary": 1_000_000_000.01}),
        )
    )
    assert job.errors == [
        {"file": "customers", "row": 3, "column": "Monthly Salary",
         "message": "Must be at most 1000000000, got 1000000000.01."},
    ]  # fmt: skip
    assert Customer.objects.get().monthly_salary == Decimal("1000000000.00")


def test_a_phone_held_by_another_customer_is_rejected(customers_file):
    CustomerFactory.create(pk=50, phone_number=9000000001)
    job = ingest(customers_file(customer(1, 9000000001), customer(2)))
    assert job.errors == [
        {"file": "customers", "row": 2, "column": "Phone Number",
         "message": "Phone number 9000000001 belongs to customer 50."},
    ]  # fmt: skip
    assert job.counts["customers"] == counts(created=1, rejected=1)


def test_uploading_the_same_files_again_creates_nothing(customers_file, loans_file):
    files = (customers_file(customer(1), customer(2)), loans_file(loan(1, 10), loan(2, 10)))
    ingest(*files)
    loans_before = sorted(Loan.objects.values_list("pk", "customer_id", "source_loan_id"))
    again = ingest(*files)
    assert again.counts == {"customers": counts(unchanged=2), "loans": counts(unchanged=2)}
    assert sorted(Loan.objects.values_list("pk", "customer_id", "source_loan_id")) == loans_before
    assert Customer.objects.count() == 2


def test_changed_rows_count_as_updated(customers_file, loans_file):
    ingest(customers_file(customer(1)), loans_file(loan(1, 10)))
    job = ingest(
        customers_file(customer(1, None, **{"Age": 31.0})),
        loans_file(loan(1, 10, **{"EMIs paid on Time": 5.0})),
    )
    assert job.counts == {"customers": counts(updated=1), "loans": counts(updated=1)}
    assert Customer.objects.get(pk=1).age == 31
    assert Loan.objects.get(pk=10).emis_paid_on_time == 5


def test_a_shared_or_taken_loan_id_gets_a_fresh_id_and_a_warning(customers_file, loans_file):
    booked = LoanFactory.create(customer=CustomerFactory.create(pk=77, phone_number=9100000000))
    job = ingest(
        customers_file(customer(1), customer(2)),
        loans_file(loan(1, 10), loan(2, 10), loan(1, booked.pk), loan(2, 500)),
    )
    by_row = {
        (customer_id, source): pk
        for customer_id, source, pk in Loan.objects.filter(origin=LoanOrigin.IMPORTED).values_list(
            "customer_id", "source_loan_id", "pk"
        )
    }
    assert by_row[(2, 500)] == 500  # unique and free: the file's id
    shared_ids = [by_row[(1, 10)], by_row[(2, 10)]]
    assert all(pk > 500 for pk in [*shared_ids, by_row[(1, booked.pk)]])
    shared = "Loan ID 10 is used by more than one customer in this file; stored as loan"
    taken = f"Loan ID {booked.pk} already belongs to another loan; stored as loan"
    assert job.warnings == [
        {"file": "loans", "row": 2, "column": "Loan ID", "message": f"{shared} {by_row[(1, 10)]}."},
        {"file": "loans", "row": 3, "column": "Loan ID", "message": f"{shared} {by_row[(2, 10)]}."},
        {"file": "loans", "row": 4, "column": "Loan ID",
         "message": f"{taken} {by_row[(1, booked.pk)]}."},
    ]  # fmt: skip
    again = ingest(
        customers_file(customer(1), customer(2)),
        loans_file(loan(1, 10), loan(2, 10), loan(1, booked.pk), loan(2, 500)),
    )
    assert again.counts["loans"] == counts(unchanged=4)
    assert again.warnings == job.warnings  # the same ids again


# Sequences from 1, as on a new database: PostgreSQL's run on after other tests' rows.
@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_after_ingestion_the_api_allocates_fresh_ids(api, customers_file, loans_file):
    ingest(customers_file(customer(1), customer(900)), loans_file(loan(900, 7000)))
    registered = api.post(
        "/register",
        {"first_name": "New", "last_name": "Person", "age": 30,
         "monthly_income": 100000, "phone_number": 9999999999},
        format="json",
    )  # fmt: skip
    assert registered.status_code == 201
    assert registered.json()["customer_id"] == 901
    booked = api.post(
        "/create-loan",
        {"customer_id": 901, "loan_amount": 1000, "interest_rate": 20, "tenure": 12},
        format="json",
    )
    assert booked.status_code == 201
    assert booked.json()["loan_id"] == 7001


def test_a_file_that_is_no_workbook_fails_the_job_and_writes_nothing_of_it(
    tmp_path, customers_file
):
    bad = tmp_path / "loans.xlsx"
    bad.write_bytes(b"Customer ID,Loan ID\n1,2\n")
    job = ingest(customers_file(customer(1)), bad)
    assert job.status == JobStatus.FAILED
    assert job.errors == [
        {"file": "loans", "row": None, "column": None, "message": "Not a readable .xlsx workbook."}
    ]
    assert job.counts["customers"] == counts(created=1)  # the customers file went in first
    assert not Loan.objects.exists()


@pytest.mark.parametrize("reader", ["calamine", "openpyxl"])
@pytest.mark.parametrize("blank_rows", [0, 2])
def test_a_missing_column_fails_the_job_naming_it_on_the_header_row(
    settings, write_xlsx, reader, blank_rows
):
    settings.INGEST_READER = reader
    path = write_xlsx([*[[None]] * blank_rows, CUSTOMER_HEADERS[:-1], customer(1)[:-1]])
    job = ingest(path)
    assert job.status == JobStatus.FAILED
    assert job.errors == [
        {"file": "customers", "row": blank_rows + 1, "column": "Approved Limit",
         "message": "Missing required column 'Approved Limit'."},
    ]  # fmt: skip
    assert not Customer.objects.exists()


def test_a_rerun_after_a_crash_mid_merge_gives_exact_counts(
    settings, monkeypatch, customers_file, loans_file
):
    settings.INGEST_BATCH_ROWS = 2
    files = {
        "customers": customers_file(*(customer(n) for n in range(1, 6))),
        "loans": loans_file(*(loan(n, 100 + n) for n in range(1, 6)), loan(9, 1)),
    }
    job = jobs.create_job_for_paths(files)
    real_merge = merge.merge_range
    calls = {"n": 0}

    def crash_on_fifth_range(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt  # like a SIGKILL: nothing after this point runs
        return real_merge(*args, **kwargs)

    monkeypatch.setattr(merge, "merge_range", crash_on_fifth_range)
    with pytest.raises(KeyboardInterrupt):
        services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    assert job.counts["loans"]["created"] == 2  # one loan range merged before the crash
    monkeypatch.setattr(merge, "merge_range", real_merge)
    settings.JOB_LEASE_SECONDS = 0  # the crashed run's claim has lapsed
    services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.counts == {"customers": counts(created=5), "loans": counts(created=5, rejected=1)}
    assert job.processed_rows == job.total_rows == 11
    assert len(job.errors) == 1
    assert Loan.objects.count() == 5


def test_a_crash_after_a_range_is_merged_but_before_its_step_commits_is_redone_exactly(
    settings, monkeypatch, customers_file, loans_file
):
    """The range's rows are written, its counts not yet: both must roll back together, or the
    re-run would find the rows there and count them as unchanged instead of created."""
    settings.INGEST_BATCH_ROWS = 2
    files = {
        "customers": customers_file(*(customer(n) for n in range(1, 6))),
        "loans": loans_file(*(loan(n, 100 + n) for n in range(1, 6)), loan(9, 1)),
    }
    job = jobs.create_job_for_paths(files)
    real_merge = merge.merge_range
    real_add_count = IngestionJob.add_count
    state = {"calls": 0, "crash": False}

    def merge_then_arm(*args, **kwargs):
        result = real_merge(*args, **kwargs)
        state["calls"] += 1
        if state["calls"] == 5:  # the second loan range (loans 103 and 104) is written
            state["crash"] = True
        return result

    def add_count(self, kind, outcome, n):
        if state["crash"]:
            raise KeyboardInterrupt  # inside the range's step, before its commit
        real_add_count(self, kind, outcome, n)

    monkeypatch.setattr(merge, "merge_range", merge_then_arm)
    monkeypatch.setattr(IngestionJob, "add_count", add_count)
    with pytest.raises(KeyboardInterrupt):
        services.run_job(job.pk)
    assert state["calls"] == 5
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    assert job.counts["loans"] == counts(created=2, rejected=1)  # rejected when parsed
    assert sorted(Loan.objects.values_list("pk", flat=True)) == [101, 102]
    monkeypatch.setattr(merge, "merge_range", real_merge)
    monkeypatch.setattr(IngestionJob, "add_count", real_add_count)
    settings.JOB_LEASE_SECONDS = 0
    services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.counts == {"customers": counts(created=5), "loans": counts(created=5, rejected=1)}
    assert job.processed_rows == job.total_rows == 11
    assert job.errors == [
        {"file": "loans", "row": 7, "column": "Customer ID", "message": "No customer with id 9."}
    ]
    assert sorted(Loan.objects.values_list("pk", flat=True)) == [101, 102, 103, 104, 105]


def test_a_crash_while_reading_rereads_the_file(settings, monkeypatch, customers_file):
    settings.INGEST_BATCH_ROWS = 1
    job = jobs.create_job_for_paths({"customers": customers_file(customer(1), customer(2))})
    real_write = staging.write_staged

    def crash_on_second_batch(kind, payload):
        if StagedCustomer.objects.filter(job_id=job.pk).exists():
            raise KeyboardInterrupt
        real_write(kind, payload)

    monkeypatch.setattr(staging, "write_staged", crash_on_second_batch)
    with pytest.raises(KeyboardInterrupt):
        services.run_job(job.pk)
    monkeypatch.setattr(staging, "write_staged", real_write)
    settings.JOB_LEASE_SECONDS = 0
    services.run_job(job.pk)
    job.refresh_from_db()
    assert job.counts["customers"] == counts(created=2)


def test_a_live_run_elsewhere_makes_a_second_run_wait(customers_file, settings):
    settings.JOB_LEASE_SECONDS = 60
    job = jobs.create_job_for_paths({"customers": customers_file(customer(1))})
    IngestionJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, heartbeat_at=job.created_at
    )
    with pytest.raises(JobBusy):
        services.run_job(job.pk)


def test_a_run_whose_job_was_taken_over_stops_without_writing(customers_file):
    job = jobs.create_job_for_paths({"customers": customers_file(customer(1))})

    def taken_over(current):
        # What a second run does once this one looks dead: a new claim between two steps.
        IngestionJob.objects.filter(pk=current.pk).update(run_token=uuid.uuid4())

    services.run_job(job.pk, on_progress=taken_over)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    assert not Customer.objects.exists()


def test_finished_and_unknown_jobs_are_left_alone(customers_file):
    job = ingest(customers_file(customer(1)))
    services.run_job(job.pk)
    services.run_job(10_000)
    job.refresh_from_db()
    assert job.counts["customers"] == counts(created=1)


def test_an_unexpected_error_fails_the_job_and_propagates(monkeypatch, customers_file):
    job = jobs.create_job_for_paths({"customers": customers_file(customer(1))})

    def explode(job_id: int) -> list[staging.Problem]:
        raise ZeroDivisionError

    failing = dataclasses.replace(kinds.SPECS[FileKind.CUSTOMERS], check_whole_file=explode)
    monkeypatch.setitem(kinds.SPECS, FileKind.CUSTOMERS, failing)
    with pytest.raises(ZeroDivisionError):
        services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.errors[-1]["message"] == "Internal error; see the log."


def test_loans_only_upload_uses_existing_customers(loans_file):
    CustomerFactory.create(pk=3, origin=CustomerOrigin.IMPORTED)  # a file created it
    job = ingest(loans=loans_file(loan(3, 30)))
    assert job.counts == {"customers": ZERO, "loans": counts(created=1)}
    assert list(job.files) == ["loans"]


def test_staged_rows_describe_themselves():
    job = IngestionJob.objects.create(batch_rows=10)
    assert str(job) == f"Ingestion {job.pk} (queued)"
    assert str(StagedCustomer(job=job, row=2)) == f"Customers row 2 of job {job.pk}"
    assert str(StagedLoan(job=job, row=3)) == f"Loans row 3 of job {job.pk}"
