"""Set-based steps on the staging tables: write parsed rows, reject what cannot go in, merge.

Everything here runs inside the caller's transaction. The merge is plain SQL that PostgreSQL and
SQLite (3.33+, for UPDATE … FROM) both run, one row range at a time: a range is merged, counted
and marked in a single transaction, so after a crash it is either wholly done or not started.
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Exists, F, Max, Min, OuterRef, Subquery, Window
from django.db.models.functions import Coalesce
from django.utils import timezone

from customers.models import Customer
from ingestion.models import FileKind, IngestionJob, Outcome, StagedCustomer, StagedLoan
from loans.models import Loan, LoanOrigin, LoanStatus

CUSTOMER_COLUMNS = (
    "customer_id",
    "first_name",
    "last_name",
    "age",
    "phone_number",
    "monthly_salary",
    "approved_limit",
)
LOAN_COLUMNS = (
    "customer_id",
    "source_loan_id",
    "loan_amount",
    "tenure",
    "interest_rate",
    "monthly_installment",
    "emis_paid_on_time",
    "start_date",
    "end_date",
)
_TABLES = {FileKind.CUSTOMERS: "ingestion_stagedcustomer", FileKind.LOANS: "ingestion_stagedloan"}
_COLUMNS = {FileKind.CUSTOMERS: CUSTOMER_COLUMNS, FileKind.LOANS: LOAN_COLUMNS}


@dataclass(frozen=True)
class Problem:
    """A row error or warning as the job reports it."""

    row: int
    column: str
    message: str

    def as_dict(self, kind: str) -> dict[str, Any]:
        return {"file": kind, "row": self.row, "column": self.column, "message": self.message}


StagedValues = tuple[int, list[Any], list[tuple[str, str]]]


def write_staged(job_id: int, kind: FileKind, rows: Sequence[StagedValues]) -> None:
    """Parsed rows into staging: COPY on PostgreSQL, executemany elsewhere."""
    columns = ("job_id", "row", "errors", "outcome", *_COLUMNS[kind])
    records = (
        (
            job_id,
            number,
            json.dumps(errors) if errors else None,
            Outcome.REJECTED.value if errors else None,
            *values,
        )
        for number, values, errors in rows
    )
    table = _TABLES[kind]
    column_list = ", ".join(f'"{column}"' for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Table and column names are constants of this module, never input.
            sql = f"COPY {table} ({column_list}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                for record in records:
                    copy.write_row(record)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})"  # noqa: S608
            cursor.executemany(
                sql,
                [tuple(_adapt(value) for value in record) for record in records],
            )


def _adapt(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def clear(job_id: int, kind: FileKind | None = None) -> None:
    for model_kind, model in ((FileKind.CUSTOMERS, StagedCustomer), (FileKind.LOANS, StagedLoan)):
        if kind in (None, model_kind):
            model.objects.filter(job_id=job_id).delete()


def parse_errors(job_id: int, kind: FileKind) -> list[Problem]:
    model = StagedCustomer if kind == FileKind.CUSTOMERS else StagedLoan
    rows = (
        model.objects.filter(job_id=job_id, errors__isnull=False)
        .order_by("row")
        .values_list("row", "errors")
    )
    return [
        Problem(row, column, message) for row, errors in rows for column, message in errors or []
    ]


def _later_duplicates(
    valid: Any, keys: Sequence[str]
) -> list[tuple[int, int, int, tuple[Any, ...]]]:
    """(staged id, row, first row, key) of every valid row whose key an earlier valid row has."""
    partition = [F(key) for key in keys]
    rows = (
        valid.annotate(first_row=Window(Min("row"), partition_by=partition))
        .filter(row__gt=F("first_row"))
        .values_list("id", "row", "first_row", *keys)
    )
    return [(pk, row, first, tuple(key)) for pk, row, first, *key in rows]


def _reject(model: Any, job_id: int, problems: dict[int, Problem]) -> None:
    ids = list(problems)
    for start in range(0, len(ids), 500):
        model.objects.filter(job_id=job_id, id__in=ids[start : start + 500]).update(
            outcome=Outcome.REJECTED
        )


def settle_customers(job_id: int) -> list[Problem]:
    """Reject duplicate ids and phone numbers in the file, and phones another customer holds."""
    valid = StagedCustomer.objects.filter(job_id=job_id, outcome__isnull=True)
    problems: dict[int, Problem] = {}
    for pk, row, first, (customer_id,) in _later_duplicates(valid, ["customer_id"]):
        problems[pk] = Problem(
            row, "Customer ID", f"Customer ID {customer_id} already appears at row {first}."
        )
    _reject(StagedCustomer, job_id, problems)
    phone_problems: dict[int, Problem] = {}
    for pk, row, first, (phone,) in _later_duplicates(valid, ["phone_number"]):
        phone_problems[pk] = Problem(
            row, "Phone Number", f"Phone number {phone} already appears at row {first}."
        )
    _reject(StagedCustomer, job_id, phone_problems)
    held_elsewhere = Customer.objects.filter(phone_number=OuterRef("phone_number")).exclude(
        pk=OuterRef("customer_id")
    )
    taken: dict[int, Problem] = {}
    holders = valid.filter(Exists(held_elsewhere)).annotate(
        holder=Subquery(held_elsewhere.values("pk")[:1])
    )
    for pk, row, phone, holder in holders.values_list("id", "row", "phone_number", "holder"):
        taken[pk] = Problem(
            row, "Phone Number", f"Phone number {phone} belongs to customer {holder}."
        )
    _reject(StagedCustomer, job_id, taken)
    return sorted([*problems.values(), *phone_problems.values(), *taken.values()], key=_by_row)


def settle_loans(job_id: int) -> list[Problem]:
    """Reject repeated (customer, Loan ID) pairs and unknown customers; flag shared Loan IDs."""
    staged = StagedLoan.objects.filter(job_id=job_id)
    valid = staged.filter(outcome__isnull=True)
    problems: dict[int, Problem] = {}
    for pk, row, first, (customer_id, loan_id) in _later_duplicates(
        valid, ["customer_id", "source_loan_id"]
    ):
        problems[pk] = Problem(
            row,
            "Loan ID",
            f"Loan ID {loan_id} of customer {customer_id} already appears at row {first}.",
        )
    _reject(StagedLoan, job_id, problems)
    unknown: dict[int, Problem] = {}
    customer_exists = Customer.objects.filter(pk=OuterRef("customer_id"))
    for pk, row, customer_id in valid.filter(~Exists(customer_exists)).values_list(
        "id", "row", "customer_id"
    ):
        unknown[pk] = Problem(row, "Customer ID", f"No customer with id {customer_id}.")
    _reject(StagedLoan, job_id, unknown)
    # A Loan ID held by rows of two customers in the file is ambiguous: neither may claim it.
    other_customer = staged.filter(source_loan_id=OuterRef("source_loan_id")).exclude(
        customer_id=OuterRef("customer_id")
    )
    staged.filter(Exists(other_customer), customer_id__isnull=False).update(shared_id=True)
    return sorted([*problems.values(), *unknown.values()], key=_by_row)


def _by_row(problem: Problem) -> int:
    return problem.row


def largest_key(kind: FileKind, job_id: int) -> int:
    """The largest id a merge may insert explicitly (customer ids; the file's Loan IDs)."""
    if kind == FileKind.CUSTOMERS:
        found = StagedCustomer.objects.filter(job_id=job_id, outcome__isnull=True).aggregate(
            top=Coalesce(Max("customer_id"), 0)
        )
    else:
        found = StagedLoan.objects.filter(job_id=job_id, outcome__isnull=True).aggregate(
            top=Coalesce(Max("source_loan_id"), 0)
        )
    return int(found["top"])


def reserve_ids(model: type[Customer] | type[Loan], upto: int) -> None:
    """Move the table's id sequence past `upto`, so /register and /create-loan never collide
    with ids that came from a file (PostgreSQL sequences ignore explicit ids; SQLite's
    AUTOINCREMENT does not, but bumping it first also protects ids still to be written)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(seq, GREATEST(%s, COALESCE(pg_sequence_last_value(seq), 0), 1),"
                " GREATEST(%s, COALESCE(pg_sequence_last_value(seq), 0)) >= 1)"
                " FROM (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS seq) AS target",
                [upto, upto, table],
            )
        else:
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s", [upto, table]
            )
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) SELECT %s, %s"
                " WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = %s)",
                [table, upto, table],
            )


def row_span(kind: FileKind, job_id: int) -> tuple[int, int]:
    model = StagedCustomer if kind == FileKind.CUSTOMERS else StagedLoan
    span = model.objects.filter(job_id=job_id).aggregate(low=Min("row"), high=Max("row"))
    if span["low"] is None:
        return 0, 0
    return int(span["low"]), int(span["high"]) + 1


def ranges(low: int, high: int, size: int) -> Iterable[tuple[int, int]]:
    return ((start, min(start + size, high)) for start in range(low, high, size))


def has_pending(kind: FileKind, job_id: int, low: int, high: int) -> bool:
    model = StagedCustomer if kind == FileKind.CUSTOMERS else StagedLoan
    return model.objects.filter(
        job_id=job_id, row__gte=low, row__lt=high, outcome__isnull=True
    ).exists()


# Every statement works on one row range of one job: s.job_id = %s AND s."row" in [%s, %s).
_CUSTOMER_CLASSIFY = (
    "UPDATE ingestion_stagedcustomer AS s SET outcome = CASE WHEN"
    " c.first_name = s.first_name AND c.last_name = s.last_name AND c.age = s.age"
    " AND c.phone_number = s.phone_number AND c.monthly_salary = s.monthly_salary"
    " AND c.approved_limit = s.approved_limit THEN 'unchanged' ELSE 'updated' END"
    " FROM customers_customer AS c WHERE c.id = s.customer_id"
    ' AND s.job_id = %s AND s."row" >= %s AND s."row" < %s AND s.outcome IS NULL'
)
_CUSTOMER_INSERT = (
    "INSERT INTO customers_customer (id, first_name, last_name, age, phone_number,"
    " monthly_salary, approved_limit, created_at, updated_at)"
    " SELECT s.customer_id, s.first_name, s.last_name, s.age, s.phone_number,"
    " s.monthly_salary, s.approved_limit, %s, %s FROM ingestion_stagedcustomer AS s"
    ' WHERE s.job_id = %s AND s."row" >= %s AND s."row" < %s AND s.outcome IS NULL'
)
_CUSTOMER_UPDATE = (
    "UPDATE customers_customer AS c SET first_name = s.first_name, last_name = s.last_name,"
    " age = s.age, phone_number = s.phone_number, monthly_salary = s.monthly_salary,"
    " approved_limit = s.approved_limit, updated_at = %s"
    " FROM ingestion_stagedcustomer AS s WHERE c.id = s.customer_id"
    ' AND s.job_id = %s AND s."row" >= %s AND s."row" < %s AND s.outcome = \'updated\''
)
_LOAN_MATCH = (
    "UPDATE ingestion_stagedloan AS s SET loan_id = l.id, outcome = CASE WHEN"
    " l.loan_amount = s.loan_amount AND l.tenure = s.tenure"
    " AND l.interest_rate = s.interest_rate AND l.monthly_installment = s.monthly_installment"
    " AND l.emis_paid_on_time = s.emis_paid_on_time AND l.start_date = s.start_date"
    " AND l.end_date = s.end_date THEN 'unchanged' ELSE 'updated' END"
    " FROM loans_loan AS l"
    " WHERE l.customer_id = s.customer_id AND l.source_loan_id = s.source_loan_id"
    ' AND s.job_id = %s AND s."row" >= %s AND s."row" < %s AND s.outcome IS NULL'
)
_LOAN_KEEP_ID = (
    "UPDATE ingestion_stagedloan AS s SET loan_id = s.source_loan_id"
    ' WHERE s.job_id = %s AND s."row" >= %s AND s."row" < %s AND s.outcome IS NULL'
    " AND NOT s.shared_id"
    " AND NOT EXISTS (SELECT 1 FROM loans_loan AS l WHERE l.id = s.source_loan_id)"
)
_LOAN_INSERT_KEPT = (
    "INSERT INTO loans_loan (id, customer_id, source_loan_id, loan_amount, tenure,"
    " interest_rate, monthly_installment, emis_paid_on_time, start_date, end_date,"
    " status, origin, created_at, updated_at)"
    " SELECT s.loan_id, s.customer_id, s.source_loan_id, s.loan_amount, s.tenure,"
    " s.interest_rate, s.monthly_installment, s.emis_paid_on_time, s.start_date, s.end_date,"
    " %s, %s, %s, %s FROM ingestion_stagedloan AS s"
    ' WHERE s.job_id = %s AND s."row" >= %s AND s."row" < %s AND s.outcome IS NULL'
    " AND s.loan_id IS NOT NULL"
)
_LOAN_INSERT_FRESH = (
    "INSERT INTO loans_loan (customer_id, source_loan_id, loan_amount, tenure,"
    " interest_rate, monthly_installment, emis_paid_on_time, start_date, end_date,"
    " status, origin, created_at, updated_at)"
    " SELECT s.customer_id, s.source_loan_id, s.loan_amount, s.tenure,"
    " s.interest_rate, s.monthly_installment, s.emis_paid_on_time, s.start_date, s.end_date,"
    " %s, %s, %s, %s FROM ingestion_stagedloan AS s"
    ' WHERE s.job_id = %s AND s."row" >= %s AND s."row" < %s AND s.outcome IS NULL'
    " AND s.loan_id IS NULL"
)
_LOAN_LEARN_IDS = (
    "UPDATE ingestion_stagedloan AS s SET loan_id = l.id FROM loans_loan AS l"
    " WHERE l.customer_id = s.customer_id AND l.source_loan_id = s.source_loan_id"
    ' AND s.job_id = %s AND s."row" >= %s AND s."row" < %s AND s.outcome IS NULL'
    " AND s.loan_id IS NULL"
)
_LOAN_UPDATE = (
    "UPDATE loans_loan AS l SET loan_amount = s.loan_amount, tenure = s.tenure,"
    " interest_rate = s.interest_rate, monthly_installment = s.monthly_installment,"
    " emis_paid_on_time = s.emis_paid_on_time, start_date = s.start_date,"
    " end_date = s.end_date, updated_at = %s"
    " FROM ingestion_stagedloan AS s WHERE l.id = s.loan_id"
    ' AND s.job_id = %s AND s."row" >= %s AND s."row" < %s AND s.outcome = \'updated\''
)
_MARK_CREATED = {
    FileKind.CUSTOMERS: "UPDATE ingestion_stagedcustomer AS s SET outcome = 'created'"
    ' WHERE s.job_id = %s AND s."row" >= %s AND s."row" < %s AND s.outcome IS NULL',
    FileKind.LOANS: "UPDATE ingestion_stagedloan AS s SET outcome = 'created'"
    ' WHERE s.job_id = %s AND s."row" >= %s AND s."row" < %s AND s.outcome IS NULL',
}
_TALLY = {
    FileKind.CUSTOMERS: "SELECT s.outcome, COUNT(*) FROM ingestion_stagedcustomer AS s"
    ' WHERE s.job_id = %s AND s."row" >= %s AND s."row" < %s'
    " AND s.outcome <> 'rejected' GROUP BY s.outcome",
    FileKind.LOANS: "SELECT s.outcome, COUNT(*) FROM ingestion_stagedloan AS s"
    ' WHERE s.job_id = %s AND s."row" >= %s AND s."row" < %s'
    " AND s.outcome <> 'rejected' GROUP BY s.outcome",
}


def merge_range(kind: FileKind, job: IngestionJob, low: int, high: int) -> dict[str, int]:
    """Write one row range into the real tables, and count what happened to its rows.

    Matched rows are classified first (unchanged or updated); the rest are new. A new loan
    takes its Loan ID as id when no other row of the file shares it and no loan holds it;
    otherwise the sequence, already moved past every Loan ID in the file, gives it one.
    """
    where = [job.pk, low, high]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        if kind == FileKind.CUSTOMERS:
            cursor.execute(_CUSTOMER_CLASSIFY, where)
            cursor.execute(_CUSTOMER_INSERT, [now, now, *where])
            cursor.execute(_CUSTOMER_UPDATE, [now, *where])
        else:
            stamp = [LoanStatus.ACTIVE.value, LoanOrigin.IMPORTED.value, now, now]
            cursor.execute(_LOAN_MATCH, where)
            cursor.execute(_LOAN_KEEP_ID, where)
            cursor.execute(_LOAN_INSERT_KEPT, [*stamp, *where])
            cursor.execute(_LOAN_INSERT_FRESH, [*stamp, *where])
            cursor.execute(_LOAN_LEARN_IDS, where)
            cursor.execute(_LOAN_UPDATE, [now, *where])
        cursor.execute(_MARK_CREATED[kind], where)
        cursor.execute(_TALLY[kind], where)
        return dict(cursor.fetchall())


def id_warnings(job_id: int, low: int, high: int) -> list[Problem]:
    """Loans that could not keep the file's Loan ID as their id, and the id they got."""
    rows = (
        StagedLoan.objects.filter(job_id=job_id, row__gte=low, row__lt=high)
        .exclude(outcome=Outcome.REJECTED)
        .exclude(loan_id=F("source_loan_id"))
        .order_by("row")
        .values_list("row", "source_loan_id", "loan_id", "shared_id")
    )
    return [
        Problem(
            row,
            "Loan ID",
            f"Loan ID {source} is used by more than one customer in this file;"
            f" stored as loan {loan_id}."
            if shared
            else f"Loan ID {source} already belongs to another loan; stored as loan {loan_id}.",
        )
        for row, source, loan_id, shared in rows
    ]
