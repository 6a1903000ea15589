"""Hand-written SQL for the few queries on the hot paths (check-eligibility, create-loan,
view-loan, view-loans).

The ORM spends 200–600 µs of CPU compiling such a query, several times what PostgreSQL takes to
answer it (docs/benchmarks.md), so these statements are written out once and run through
Django's own connection: the same transactions, row locks, connection handling and query
counting as the ORM's. The SQL is plain enough for both PostgreSQL and SQLite.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model

from core.replica import read_alias


def fetch_all(sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """Rows of a read, from the database this request reads from (core.replica)."""
    with connections[read_alias()].cursor() as cursor:
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


@dataclass(frozen=True)
class Columns:
    """Some columns of a model as a SELECT list, and what turns a row of them into Python
    values: each field's own database converters, as the ORM applies them (PostgreSQL
    returns Decimals as they are; SQLite's INTEGER or REAL become Decimals of the field's
    places)."""

    select: str
    count: int
    # (position, column expression, its converters), for the columns that have any.
    _converters: tuple[tuple[int, Any, tuple[Any, ...]], ...]

    def values(self, row: Sequence[Any], start: int = 0) -> Sequence[Any]:
        """This list's values in `row`, from `start`."""
        found = row[start : start + self.count]
        if not self._converters:  # PostgreSQL's own types already: nothing to convert
            return found
        values = list(found)
        wrapper = connections[DEFAULT_DB_ALIAS]
        for index, expression, converters in self._converters:
            value = values[index]
            if value is not None:
                for convert in converters:
                    value = convert(value, expression, wrapper)
                values[index] = value
        return values


def columns(model: type[Model], names: Sequence[str], alias: str) -> Columns:
    """`names` of `model`, qualified by the table alias `alias`, for the current database."""
    return _columns(model, tuple(names), alias, connection.vendor)


@cache
def _columns(model: type[Model], names: tuple[str, ...], alias: str, vendor: str) -> Columns:
    fields: list[Any] = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    select = ", ".join(f"{alias}.{quote(field.column)}" for field in fields)
    converters = []
    for index, field in enumerate(fields):
        expression = field.get_col(alias)
        found = connection.ops.get_db_converters(expression) + expression.get_db_converters(
            connection
        )
        if found:
            converters.append((index, expression, tuple(found)))
    return Columns(select, len(fields), tuple(converters))


def table(model: type[Model]) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def db_date(value: date) -> Any:
    return connection.ops.adapt_datefield_value(value)
