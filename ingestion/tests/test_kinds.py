"""The one map from file kind to what it needs: each column of a file fills its staged column."""

from ingestion.kinds import ORDER, SPECS
from ingestion.models import FileKind
from ingestion.staging import cell_columns


def test_each_file_column_fills_the_staged_column_of_its_place():
    filled = {
        kind: list(zip(spec.headers, cell_columns(spec.target.staged), strict=True))
        for kind, spec in SPECS.items()
    }
    assert filled[FileKind.CUSTOMERS] == [
        ("Customer ID", "customer_id"), ("First Name", "first_name"), ("Last Name", "last_name"),
        ("Age", "age"), ("Phone Number", "phone_number"), ("Monthly Salary", "monthly_salary"),
        ("Approved Limit", "approved_limit"),
    ]  # fmt: skip
    assert filled[FileKind.LOANS] == [
        ("Customer ID", "customer_id"), ("Loan ID", "source_loan_id"),
        ("Loan Amount", "loan_amount"), ("Tenure", "tenure"), ("Interest Rate", "interest_rate"),
        ("Monthly payment", "monthly_installment"), ("EMIs paid on Time", "emis_paid_on_time"),
        ("Date of Approval", "start_date"), ("End Date", "end_date"),
    ]  # fmt: skip


def test_customers_go_in_before_the_loans_that_may_name_them():
    assert ORDER == (FileKind.CUSTOMERS, FileKind.LOANS)
