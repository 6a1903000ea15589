"""Hand-written SQL for the few queries on the hot paths (check-eligibility, create-loan,
view-loan, view-loans).

The ORM spends 200–600 µs of CPU compiling such a query, several times what PostgreSQL takes to
answer it (docs/benchmarks.md), so these statements are written out once and run through
Django's own connection: the same transactions, row locks, connection handling and query
counting as the ORM's. The SQL is plain enough for both PostgreSQL and SQLite.
"""

from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model

from core.money import from_spreadsheet


def fetch_all(sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


@cache
def _insert_statement(model: type[Model], names: tuple[str, ...]) -> tuple[str, list[Any]]:
    """The INSERT for these fields of `model`, built from its metadata, so it follows the model."""
    fields: list[Any] = [model._meta.get_field(name) for name in names]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(model._meta.db_table)
    statement = f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) RETURNING id"  # noqa: S608
    return statement, fields


def insert_row(model: type[Model], **values: Any) -> int:
    """INSERT one row of `model` and return its id. Each value goes through its field's own
    conversion (get_db_prep_save), as Model.save would do, without the model instance."""
    statement, fields = _insert_statement(model, tuple(values))
    # The wrapper itself: `connection` is a proxy that looks the thread's wrapper up on every
    # attribute access, and each field's conversion reads several.
    wrapper = connections[DEFAULT_DB_ALIAS]
    params = tuple(
        field.get_db_prep_save(value, wrapper)
        for field, value in zip(fields, values.values(), strict=True)
    )
    with wrapper.cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    return int(row[0])


def for_update() -> str:
    """The row-lock clause where the database has row locks; SQLite locks the whole database
    at BEGIN instead (transaction_mode IMMEDIATE in config/settings/base.py)."""
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


def money(value: Any) -> Decimal:
    """A numeric column as Decimal: PostgreSQL returns one; SQLite returns the INTEGER or REAL
    it stored (or TEXT beyond 15 digits), whose shortest repr is the stored decimal exactly."""
    return value if isinstance(value, Decimal) else from_spreadsheet(value)


def db_date(value: date) -> Any:
    return connection.ops.adapt_datefield_value(value)
