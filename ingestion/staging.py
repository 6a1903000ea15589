"""The staging tables: parsed rows written in bulk, then read by the whole-file checks and the
merge. One staged model per file kind (ingestion.kinds says which); tables and columns come
from the models' metadata. Everything here runs inside the caller's transaction.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import F, Max, Min, Window

from core.sql import table
from ingestion.models import Outcome, StagedCustomer, StagedLoan, StagedRow

Staged = type[StagedCustomer] | type[StagedLoan]


@dataclass(frozen=True)
class Problem:
    """A row error or warning as the job reports it."""

    row: int
    column: str
    message: str

    def as_dict(self, kind: str) -> dict[str, Any]:
        return {"file": kind, "row": self.row, "column": self.column, "message": self.message}


# COPY text (PostgreSQL) or records for executemany (elsewhere), from ingestion.child.
Payload = bytes | list[list[Any]]

# StagedRow's own columns, which every staged row has: the job, the row, its errors, its outcome
# (ingestion.child.record writes them in this order).
BOOKKEEPING = tuple(str(field.column) for field in StagedRow._meta.local_fields)


def cell_columns(model: Staged) -> tuple[str, ...]:
    """The columns that hold the file's cells, in the file's column order: the model's own
    fields, but those the database fills (a `db_default`, such as a loan's `shared_id`)."""
    return tuple(
        str(field.column)
        for field in model._meta.concrete_fields
        if not field.primary_key and field.column not in BOOKKEEPING and not field.has_db_default()
    )


def _written_columns(model: Staged) -> str:
    """What a staging write fills, in the order of ingestion.child.record: the bookkeeping,
    then the cells."""
    return ", ".join(
        connection.ops.quote_name(column) for column in (*BOOKKEEPING, *cell_columns(model))
    )


def write_staged(model: Staged, payload: Payload) -> None:
    """A chunk into staging: COPY on PostgreSQL, executemany elsewhere."""
    columns = _written_columns(model)
    if isinstance(payload, bytes):
        sql = f"COPY {table(model)} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            copy.write(payload)
        return
    placeholders = ", ".join(["%s"] * (len(BOOKKEEPING) + len(cell_columns(model))))
    sql = f"INSERT INTO {table(model)} ({columns}) VALUES ({placeholders})"  # noqa: S608  model metadata
    with connection.cursor() as cursor:
        cursor.executemany(sql, payload)


def cells_of(
    model: Staged, job_id: int, headers: Sequence[str], rows: Sequence[int]
) -> dict[int, dict[str, Any]]:
    """These staged rows as the file gave them: the row number and each cell by its header (as
    JSON holds it: money and dates as text)."""
    columns = cell_columns(model)
    found = model.objects.filter(job_id=job_id, row__in=rows).values_list("row", *columns)
    return {
        row: {"row": row, "cells": dict(zip(headers, map(_shown, values), strict=True))}
        for row, *values in found
    }


def _shown(value: Any) -> Any:
    return value if value is None or isinstance(value, int | str) else str(value)


def clear(model: Staged, job_id: int) -> None:
    model.objects.filter(job_id=job_id).delete()


def analyze(model: Staged) -> None:
    """Fresh statistics for the staged rows just written: without them PostgreSQL plans the
    checks and the merge as if staging were empty, and loops where it should hash."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table(model)}")


def parse_errors(model: Staged, job_id: int) -> list[Problem]:
    rows = (
        model.objects.filter(job_id=job_id, errors__isnull=False)
        .order_by("row")
        .values_list("row", "errors")
    )
    return [
        Problem(row, column, message) for row, errors in rows for column, message in errors or []
    ]


def later_duplicates(
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


def reject(model: Staged, job_id: int, problems: dict[int, Problem]) -> list[Problem]:
    """Mark these staged rows (by staged id) rejected; their problems, for the job's report."""
    ids = list(problems)
    for start in range(0, len(ids), 500):
        model.objects.filter(job_id=job_id, id__in=ids[start : start + 500]).update(
            outcome=Outcome.REJECTED
        )
    return list(problems.values())


def row_span(model: Staged, job_id: int) -> tuple[int, int]:
    span = model.objects.filter(job_id=job_id).aggregate(low=Min("row"), high=Max("row"))
    if span["low"] is None:
        return 0, 0
    return int(span["low"]), int(span["high"]) + 1


def ranges(low: int, high: int, size: int) -> Iterable[tuple[int, int]]:
    return ((start, min(start + size, high)) for start in range(low, high, size))
