"""What each kind of file needs, in one place: its columns and their converters, the rules
across a row's cells, the checks over the whole file, and where its rows go."""

from collections.abc import Callable
from dataclasses import dataclass

from customers.models import Customer, CustomerOrigin
from ingestion.checks import check_customers_file, check_loans_file
from ingestion.merge import Target
from ingestion.models import FileKind, StagedCustomer, StagedLoan
from ingestion.rows import ROW_RULES, Field, RowRules
from ingestion.staging import Problem
from loans.models import Loan, LoanOrigin, LoanStatus


@dataclass(frozen=True)
class FileSpec:
    """One kind of file: its row rules (the sheet's columns and the rules across a row's cells,
    ingestion.rows.ROW_RULES), its checks over the whole file, and the staged and stored models
    its rows pass through (`target`)."""

    kind: FileKind
    rules: RowRules
    target: Target
    # Run once the whole file is staged: reject what clashes, and say why.
    check_whole_file: Callable[[int], list[Problem]]

    @property
    def fields(self) -> tuple[Field, ...]:
        return self.rules.fields

    @property
    def headers(self) -> list[str]:
        return self.rules.headers


# In the order a job ingests them: a loans file may name customers its customers file brings.
SPECS: dict[FileKind, FileSpec] = {
    FileKind.CUSTOMERS: FileSpec(
        kind=FileKind.CUSTOMERS,
        rules=ROW_RULES[FileKind.CUSTOMERS],
        target=Target(
            staged=StagedCustomer,
            stored=Customer,
            key=(("id", "customer_id"),),
            id_from="customer_id",
            fixed={"origin": CustomerOrigin.IMPORTED.value},
        ),
        check_whole_file=check_customers_file,
    ),
    FileKind.LOANS: FileSpec(
        kind=FileKind.LOANS,
        rules=ROW_RULES[FileKind.LOANS],
        target=Target(
            staged=StagedLoan,
            stored=Loan,
            key=(("customer_id", "customer_id"), ("source_loan_id", "source_loan_id")),
            id_from="source_loan_id",
            fixed={"status": LoanStatus.ACTIVE.value, "origin": LoanOrigin.IMPORTED.value},
            shared="shared_id",
        ),
        check_whole_file=check_loans_file,
    ),
}
ORDER = tuple(SPECS)
