"""What each kind of file needs, in one place: its columns and their converters, the rules
across a row's cells, the checks over the whole file, and where its rows go."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from customers.models import Customer, CustomerOrigin
from ingestion.checks import check_customers_file, check_loans_file
from ingestion.merge import Target
from ingestion.models import FileKind, StagedCustomer, StagedLoan
from ingestion.rows import (
    CUSTOMER_FIELDS,
    LOAN_FIELDS,
    Field,
    RowErrors,
    check_loan,
    loan_rules_hold,
)
from ingestion.staging import Problem
from loans.models import Loan, LoanOrigin, LoanStatus


@dataclass(frozen=True)
class FileSpec:
    """One kind of file: the sheet's columns (`fields`, in the staged model's column order),
    its checks, and the staged and stored models its rows pass through (`target`)."""

    kind: FileKind
    fields: tuple[Field, ...]
    target: Target
    # Run once the whole file is staged: reject what clashes, and say why.
    check_whole_file: Callable[[int], list[Problem]]
    # Rules across a row's converted cells, adding to its errors…
    check_row: Callable[[list[Any], RowErrors], None] | None = None
    # …and the same on cells that all took the usual path: true when it would add none.
    usual_row_passes: Callable[[Sequence[Any]], bool] | None = None

    @property
    def headers(self) -> list[str]:
        return [field.header for field in self.fields]


# In the order a job ingests them: a loans file may name customers its customers file brings.
SPECS: dict[FileKind, FileSpec] = {
    FileKind.CUSTOMERS: FileSpec(
        kind=FileKind.CUSTOMERS,
        fields=CUSTOMER_FIELDS,
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
        fields=LOAN_FIELDS,
        target=Target(
            staged=StagedLoan,
            stored=Loan,
            key=(("customer_id", "customer_id"), ("source_loan_id", "source_loan_id")),
            id_from="source_loan_id",
            fixed={"status": LoanStatus.ACTIVE.value, "origin": LoanOrigin.IMPORTED.value},
            shared="shared_id",
        ),
        check_whole_file=check_loans_file,
        check_row=check_loan,
        usual_row_passes=loan_rules_hold,
    ),
}
ORDER = tuple(SPECS)
