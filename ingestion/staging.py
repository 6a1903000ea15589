"""Set-based steps on the staging tables: write parsed rows, reject what cannot go in, merge.

Everything here runs inside the caller's transaction. The merge is plain SQL that PostgreSQL and
SQLite (3.33+, for UPDATE … FROM) both run, one row range at a time: a range is merged, counted
and marked in a single transaction, so after a crash it is either wholly done or not started.
"""

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Subquery, Window
from django.db.models.functions import Coalesce
from django.utils import timezone

from customers.models import Customer
from ingestion.models import FileKind, Outcome, StagedCustomer, StagedLoan
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
_MODELS: dict[FileKind, type[Customer] | type[Loan]] = {
    FileKind.CUSTOMERS: Customer,
    FileKind.LOANS: Loan,
}


@dataclass(frozen=True)
class Problem:
    """A row error or warning as the job reports it."""

    row: int
    column: str
    message: str

    def as_dict(self, kind: str) -> dict[str, Any]:
        return {"file": kind, "row": self.row, "column": self.column, "message": self.message}


StagedValues = tuple[int, list[Any], list[tuple[str, str]]]
# COPY text (PostgreSQL) or records for executemany (elsewhere), from `copy_text`/`records`.
Payload = bytes | list[tuple[Any, ...]]


def _record(
    job_id: int, number: int, values: list[Any], errors: list[tuple[str, str]]
) -> tuple[Any, ...]:
    return (
        job_id,
        number,
        json.dumps(errors) if errors else None,
        Outcome.REJECTED.value if errors else None,
        *values,
    )


def records(job_id: int, rows: Sequence[StagedValues]) -> list[tuple[Any, ...]]:
    """Converted rows as executemany parameters (SQLite; Django's backend adapts Decimals and
    dates to the text it stores them as)."""
    return [_record(job_id, *row) for row in rows]


def _copy_sql(kind: FileKind) -> str:
    columns = ("job_id", "row", "errors", "outcome", *_COLUMNS[kind])
    column_list = ", ".join(f'"{column}"' for column in columns)
    # Table and column names are constants of this module, never input.
    return f"COPY {_TABLES[kind]} ({column_list}) FROM STDIN"


def write_staged(kind: FileKind, payload: Payload) -> None:
    """A chunk into staging: COPY on PostgreSQL, executemany elsewhere."""
    if isinstance(payload, bytes):
        with connection.cursor() as cursor, cursor.cursor.copy(_copy_sql(kind)) as copy:
            copy.write(payload)
        return
    columns = ("job_id", "row", "errors", "outcome", *_COLUMNS[kind])
    column_list = ", ".join(f'"{column}"' for column in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {_TABLES[kind]} ({column_list}) VALUES ({placeholders})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, payload)


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_field(value: Any) -> str:
    """One value in COPY's text format: ints, Decimals and dates print as PostgreSQL reads them."""
    if value is None:
        return "\\N"
    if type(value) is str:
        return value.translate(_ESCAPES)
    return str(value)


def copy_text(
    job_id: int,
    chunk: Sequence[tuple[int, list[Any]]],
    usual: Callable[[Sequence[Any]], list[str] | None],
    convert: Callable[[int, list[Any]], StagedValues],
) -> bytes:
    """Read rows as a COPY … FROM STDIN text payload, in one pass: a row of usual cells goes
    straight from cells to text (`usual`, which prints what `convert` would return); any
    other row is converted to its values and errors, then printed. Built by the thread that
    read the rows, so the thread that sends it holds the GIL only briefly."""
    field = _copy_field
    good = f"{job_id}\t%d\t\\N\t\\N\t"

    def line(number: int, cells: list[Any]) -> str:
        texts = usual(cells)
        if texts is not None:
            return good % number + "\t".join(texts)
        return "\t".join([field(value) for value in _record(job_id, *convert(number, cells))])

    lines = [line(number, cells) for number, cells in chunk]
    lines.append("")
    return "\n".join(lines).encode()


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


def analyze(kind: FileKind) -> None:
    """Fresh statistics for the staged rows just written: without them PostgreSQL plans the
    checks and the merge as if staging were empty, and loops where it should hash."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {_TABLES[kind]}")


def settle_customers(job_id: int) -> list[Problem]:
    """Reject duplicate ids and phone numbers in the file, and phones another customer holds.
    At most one problem per row, in no particular order: the job sorts all of a file's."""
    analyze(FileKind.CUSTOMERS)
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
    return [*problems.values(), *phone_problems.values(), *taken.values()]


def settle_loans(job_id: int) -> list[Problem]:
    """Reject repeated (customer, Loan ID) pairs and unknown customers; flag shared Loan IDs.
    At most one problem per row, in no particular order: the job sorts all of a file's."""
    analyze(FileKind.LOANS)
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
    shared = (
        staged.filter(source_loan_id__isnull=False)
        .values("source_loan_id")
        .annotate(customers=Count("customer_id", distinct=True))
        .filter(customers__gt=1)
        .values("source_loan_id")
    )
    staged.filter(source_loan_id__in=Subquery(shared)).update(shared_id=True)
    return [*problems.values(), *unknown.values()]


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


# Every statement works on the accepted rows (outcome NULL) of one row range of one job:
# s.job_id = %s AND s."row" in [%s, %s). Staging rows are never updated here: a range's
# effects and its counts commit together, and the job records how far the merge has come.
_PENDING = ' s.job_id = %s AND s."row" >= %s AND s."row" < %s AND s.outcome IS NULL'
_CUSTOMER_SAME = (
    "c.first_name = s.first_name AND c.last_name = s.last_name AND c.age = s.age"
    " AND c.phone_number = s.phone_number AND c.monthly_salary = s.monthly_salary"
    " AND c.approved_limit = s.approved_limit"
)
_LOAN_SAME = (
    "l.loan_amount = s.loan_amount AND l.tenure = s.tenure"
    " AND l.interest_rate = s.interest_rate AND l.monthly_installment = s.monthly_installment"
    " AND l.emis_paid_on_time = s.emis_paid_on_time AND l.start_date = s.start_date"
    " AND l.end_date = s.end_date"
)
_LOAN_KEY = "l.customer_id = s.customer_id AND l.source_loan_id = s.source_loan_id"
_NEW_CUSTOMER = "AND NOT EXISTS (SELECT 1 FROM customers_customer AS c WHERE c.id = s.customer_id)"
_NEW_LOAN = (
    "AND NOT EXISTS (SELECT 1 FROM loans_loan AS l"
    " WHERE l.customer_id = s.customer_id AND l.source_loan_id = s.source_loan_id)"
)
_NEW_LOAN_KEEPING_ID = (
    _NEW_LOAN + " AND NOT s.shared_id"  # noqa: S608  module constants only
    " AND NOT EXISTS (SELECT 1 FROM loans_loan AS l WHERE l.id = s.source_loan_id)"
)
_ACCEPTED = " s.job_id = %s AND s.outcome IS NULL"
_SQL = {
    "customers_pending": "SELECT COUNT(*) FROM ingestion_stagedcustomer AS s WHERE"  # noqa: S608  module constants only
    + _PENDING,
    "loans_pending": "SELECT COUNT(*) FROM ingestion_stagedloan AS s WHERE"  # noqa: S608  module constants only
    + _PENDING,
    "customers_any_match": "SELECT 1 FROM ingestion_stagedcustomer AS s"  # noqa: S608  module constants only
    " JOIN customers_customer AS c ON c.id = s.customer_id WHERE" + _ACCEPTED + " LIMIT 1",
    "loans_any_match": "SELECT 1 FROM ingestion_stagedloan AS s"  # noqa: S608  module constants only
    " JOIN loans_loan AS l ON " + _LOAN_KEY + " WHERE" + _ACCEPTED + " LIMIT 1",
    "customers_update": "UPDATE customers_customer AS c SET first_name = s.first_name,"  # noqa: S608  module constants only
    " last_name = s.last_name, age = s.age, phone_number = s.phone_number,"
    " monthly_salary = s.monthly_salary, approved_limit = s.approved_limit, updated_at = %s"
    " FROM ingestion_stagedcustomer AS s WHERE c.id = s.customer_id AND"
    + _PENDING
    + " AND NOT ("
    + _CUSTOMER_SAME
    + ")",
    "loans_update": "UPDATE loans_loan AS l SET loan_amount = s.loan_amount, tenure = s.tenure,"  # noqa: S608  module constants only
    " interest_rate = s.interest_rate, monthly_installment = s.monthly_installment,"
    " emis_paid_on_time = s.emis_paid_on_time, start_date = s.start_date,"
    " end_date = s.end_date, updated_at = %s FROM ingestion_stagedloan AS s WHERE "
    + _LOAN_KEY
    + " AND"
    + _PENDING
    + " AND NOT ("
    + _LOAN_SAME
    + ")",
    "loan_moved_ids": 'SELECT s."row", s.source_loan_id, l.id, s.shared_id'  # noqa: S608  module constants only
    " FROM ingestion_stagedloan AS s JOIN loans_loan AS l ON "
    + _LOAN_KEY
    + " WHERE"
    + _PENDING
    + ' AND l.id <> s.source_loan_id ORDER BY s."row"',
}


def _insert(
    kind: FileKind, pk_from: str | None, now: Any, fixed: dict[str, Any], condition: str
) -> tuple[str, list[Any]]:
    """INSERT … SELECT from the accepted staged rows of a range. Columns staging holds come
    from it (`pk_from` fills the pk, if given); every other column gets the model's default,
    so a field added to the model later needs no change here."""
    model = _MODELS[kind]
    staged = set(_COLUMNS[kind])
    columns: list[str] = []
    values: list[str] = []
    params: list[Any] = []
    for field in model._meta.concrete_fields:
        column = str(field.column)
        if field.primary_key:
            if pk_from is not None:
                columns.append(column)
                values.append(f"s.{pk_from}")
            continue
        columns.append(column)
        if column in staged:
            values.append(f"s.{column}")
        elif column in ("created_at", "updated_at"):
            values.append("%s")
            params.append(now)
        else:
            values.append("%s")
            default = fixed[field.name] if field.name in fixed else field.get_default()
            params.append(field.get_db_prep_save(default, connection))
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)})"  # noqa: S608  model metadata
        f" SELECT {', '.join(values)} FROM {_TABLES[kind]} AS s WHERE{_PENDING} {condition}"
    )
    return sql, params


def may_match(kind: FileKind, job_id: int) -> bool:
    """Whether any accepted row of the file has a stored counterpart (false: a first import)."""
    sql = _SQL[f"{kind}_any_match"]
    with connection.cursor() as cursor:
        cursor.execute(sql, [job_id])
        return cursor.fetchone() is not None


def merge_range(
    kind: FileKind, job_id: int, low: int, high: int, may_match: bool = True
) -> tuple[dict[str, int], list[Problem]]:
    """Write one row range into the real tables: its counts, and the loans that moved id.

    A row matching a stored one by key is updated (or unchanged, if equal); the rest are
    created. A new loan takes its Loan ID as id when no other customer's row in the
    file has that Loan ID and no loan holds it; otherwise the sequence gives it one.
    """
    where = [job_id, low, high]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A range touches at most batch_rows rows, each found by index. Left to itself
            # the planner hashes whole tables (a seq scan of every loan, per statement, per
            # range: 117 s instead of 30 s for a million loans in the benchmark).
            cursor.execute(
                "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off;"
                " SET LOCAL enable_seqscan = off"
            )
        cursor.execute(_SQL[f"{kind}_pending"], where)
        pending = int(cursor.fetchone()[0])
        if not pending:
            return {}, []
        # Counted by what the statements write: the update's rows are the updated ones, the
        # inserts' the created ones, and the rest matched a stored row that was already equal.
        # No statement that cannot touch a row runs: a first import (`may_match` false, from
        # one whole-file check) skips the update unless the inserts came up short.
        updated = 0
        if may_match:
            cursor.execute(_SQL[f"{kind}_update"], [now, *where])
            updated = cursor.rowcount
        if kind == FileKind.CUSTOMERS:
            insert, values = _insert(kind, "customer_id", now, {}, _NEW_CUSTOMER)
            cursor.execute(insert, [*values, *where])
            created = cursor.rowcount
        else:
            fixed = {"status": LoanStatus.ACTIVE.value, "origin": LoanOrigin.IMPORTED.value}
            # New loans whose Loan ID is theirs alone in the file and free: it is their pk.
            insert, values = _insert(kind, "source_loan_id", now, fixed, _NEW_LOAN_KEEPING_ID)
            cursor.execute(insert, [*values, *where])
            kept = created = cursor.rowcount
            if updated + created < pending:
                # The other new loans: an id from the sequence, already past every Loan ID.
                insert, values = _insert(kind, None, now, fixed, _NEW_LOAN)
                cursor.execute(insert, [*values, *where])
                created += cursor.rowcount
        if not may_match and created < pending:
            # A stored row matched after all (written since the check): update as usual.
            cursor.execute(_SQL[f"{kind}_update"], [now, *where])
            updated = cursor.rowcount
        found = {
            Outcome.CREATED.value: created,
            Outcome.UPDATED.value: updated,
            Outcome.UNCHANGED.value: pending - created - updated,
        }
        counts = {outcome: n for outcome, n in found.items() if n}
        if kind == FileKind.CUSTOMERS or kept == pending:
            return counts, []
        cursor.execute(_SQL["loan_moved_ids"], where)
        moved = [
            Problem(
                row,
                "Loan ID",
                f"Loan ID {source} is used by more than one customer in this file;"
                f" stored as loan {loan_id}."
                if shared
                else f"Loan ID {source} already belongs to another loan; stored as loan {loan_id}.",
            )
            for row, source, loan_id, shared in cursor.fetchall()
        ]
        return counts, moved
