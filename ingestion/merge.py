"""Staged rows into the stored tables, one row range at a time.

Plain SQL that PostgreSQL and SQLite (3.33+, for UPDATE … FROM) both run, built from the models'
metadata. A range is merged inside the caller's transaction, which also holds its counts and its
mark in the job, so after a crash it is either wholly done or not started. Staging rows are
never updated here.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.sql import table
from customers.models import Customer
from ingestion.models import Outcome
from ingestion.staging import Problem, Staged, cell_columns
from loans.models import Loan

# Every statement works on the accepted rows (outcome NULL) of one row range of one job.
_IN_RANGE = 's.job_id = %s AND s."row" >= %s AND s."row" < %s AND s.outcome IS NULL'
_ACCEPTED = "s.job_id = %s AND s.outcome IS NULL"


@dataclass(frozen=True)
class Target:
    """Where one kind of staged row goes. A staged row matches the stored row whose `key`
    columns hold its own ((stored column, staged column) pairs); its other cells overwrite the
    stored columns of the same names. A new row takes its `id_from` cell as its id.

    Where that id is the key (customers) it is free for every new row. Where it is not
    (loans), `shared` names the staged flag of an id that rows of two owners use; such a row,
    or one whose id another row holds, gets an id from the sequence, and the job warns."""

    staged: Staged
    stored: type[Customer] | type[Loan]
    key: tuple[tuple[str, str], ...]
    id_from: str
    # What every new row is given where the model's default is not what an import means.
    fixed: Mapping[str, Any] = field(default_factory=dict)
    shared: str | None = None


def _quote(column: str) -> str:
    return str(connection.ops.quote_name(column))


def _pk(target: Target) -> str:
    return _quote(str(target.stored._meta.pk.column))


def _key_match(target: Target) -> str:
    return " AND ".join(f"t.{_quote(stored)} = s.{_quote(staged)}" for stored, staged in target.key)


def _copied(target: Target) -> list[str]:
    """The cells that overwrite the stored columns of their names: all but the key's."""
    key = {staged for _, staged in target.key}
    return [_quote(column) for column in cell_columns(target.staged) if column not in key]


def _stamped(target: Target) -> list[str]:
    """The stored columns an update sets to now (auto_now)."""
    return [
        _quote(str(each.column))
        for each in target.stored._meta.concrete_fields
        if getattr(each, "auto_now", False)
    ]


def _is_new(target: Target) -> str:
    stored = f"SELECT 1 FROM {table(target.stored)} AS t WHERE {_key_match(target)}"  # noqa: S608  model metadata
    return f"NOT EXISTS ({stored})"


def _keeps_its_id(target: Target) -> str:
    """A new row may take its file id: always when that is the key, else when the row is
    not flagged `shared` and no stored row holds the id."""
    if target.shared is None:
        return _is_new(target)
    pk = _pk(target)
    taken = f"SELECT 1 FROM {table(target.stored)} AS t WHERE t.{pk} = s.{_quote(target.id_from)}"  # noqa: S608  model metadata
    return f"{_is_new(target)} AND NOT s.{_quote(target.shared)} AND NOT EXISTS ({taken})"


def _same(target: Target) -> str:
    """A matched stored row (t) holds exactly its staged row's (s) values."""
    return " AND ".join(f"t.{column} = s.{column}" for column in _copied(target))


def _update(cursor: CursorWrapper, target: Target, now: Any, where: list[Any]) -> int:
    """Overwrite each matched stored row that differs from its staged row; how many."""
    copied = _copied(target)
    stamped = _stamped(target)
    changes = [*(f"{column} = s.{column}" for column in copied), *(f"{c} = %s" for c in stamped)]
    same = _same(target)
    sql = (
        f"UPDATE {table(target.stored)} AS t SET {', '.join(changes)}"  # noqa: S608  model metadata
        f" FROM {table(target.staged)} AS s"
        f" WHERE {_key_match(target)} AND {_IN_RANGE} AND NOT ({same})"
    )
    cursor.execute(sql, [*([now] * len(stamped)), *where])
    return int(cursor.rowcount)


def _insert(
    cursor: CursorWrapper,
    target: Target,
    now: Any,
    where: list[Any],
    id_from: str | None,
    condition: str,
) -> int:
    """INSERT … SELECT the accepted staged rows of a range that meet `condition`; how many."""
    columns, values, params = _new_row(target, now, id_from)
    sql = (
        f"INSERT INTO {table(target.stored)} ({', '.join(columns)})"  # noqa: S608  model metadata
        f" SELECT {', '.join(values)} FROM {table(target.staged)} AS s WHERE {_IN_RANGE}"
        f" AND {condition}"
    )
    cursor.execute(sql, [*params, *where])
    return int(cursor.rowcount)


def _new_row(
    target: Target, now: Any, id_from: str | None
) -> tuple[list[str], list[str], list[Any]]:
    """A stored row made from a staged one: (columns, what fills each, the parameters). Cells
    fill the columns of their names (`id_from` the pk, if given: else the sequence does);
    every other column gets `now` (timestamps), `fixed` or the model's default, so a field
    added to the model later needs no change here."""
    columns: list[str] = []
    values: list[str] = []
    params: list[Any] = []
    cells = set(cell_columns(target.staged))
    for each in target.stored._meta.concrete_fields:
        column = str(each.column)
        if each.primary_key:
            if id_from is not None:
                columns.append(_quote(column))
                values.append(f"s.{_quote(id_from)}")
            continue
        columns.append(_quote(column))
        if column in cells:
            values.append(f"s.{_quote(column)}")
        elif getattr(each, "auto_now", False) or getattr(each, "auto_now_add", False):
            values.append("%s")
            params.append(now)
        else:
            values.append("%s")
            default = target.fixed[each.name] if each.name in target.fixed else each.get_default()
            params.append(each.get_db_prep_save(default, connection))
    return columns, values, params


def first_rows(target: Target, job_id: int, limit: int) -> dict[str, list[int]]:
    """The Excel rows of the first `limit` accepted rows the merge will create, update and
    leave unchanged: by the merge's own conditions (a dry run's preview, read before it)."""
    match = f"SELECT 1 FROM {table(target.stored)} AS t WHERE {_key_match(target)}"  # noqa: S608  model metadata
    conditions = {
        Outcome.CREATED.value: _is_new(target),
        Outcome.UPDATED.value: f"EXISTS ({match} AND NOT ({_same(target)}))",
        Outcome.UNCHANGED.value: f"EXISTS ({match} AND {_same(target)})",
    }
    found: dict[str, list[int]] = {}
    with connection.cursor() as cursor:
        for outcome, condition in conditions.items():
            cursor.execute(
                f'SELECT s."row" FROM {table(target.staged)} AS s WHERE {_ACCEPTED}'  # noqa: S608  model metadata
                f' AND {condition} ORDER BY s."row" LIMIT %s',
                [job_id, limit],
            )
            found[outcome] = [row for (row,) in cursor.fetchall()]
    return found


def may_match(target: Target, job_id: int) -> bool:
    """Whether any accepted row of the file has a stored counterpart (false: a first import)."""
    sql = (
        f"SELECT 1 FROM {table(target.staged)} AS s JOIN {table(target.stored)} AS t"  # noqa: S608  model metadata
        f" ON {_key_match(target)} WHERE {_ACCEPTED} LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [job_id])
        return cursor.fetchone() is not None


def merge_range(
    target: Target, job_id: int, low: int, high: int, may_match: bool = True
) -> tuple[dict[str, int], list[Problem]]:
    """Write one row range into the stored table: its counts, and a warning for each row
    stored under another id than its file's.

    A row matching a stored one by key updates it (or leaves it, if equal); the rest are
    created. Counted by what the statements write: the update's rows are the updated ones,
    the inserts' the created ones, and the rest matched a stored row that was already equal.
    No statement that cannot touch a row runs: a first import (`may_match` false, from one
    whole-file check) skips the update unless the inserts came up short.
    """
    where = [job_id, low, high]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        _plan_by_index(cursor)
        pending = _count_pending(cursor, target, where)
        if not pending:
            return {}, []
        updated = _update(cursor, target, now, where) if may_match else 0
        kept, created = _create(cursor, target, now, where, unmatched=pending - updated)
        if not may_match and created < pending:
            # A stored row matched after all (written since the check): update as usual.
            updated = _update(cursor, target, now, where)
        found = {
            Outcome.CREATED.value: created,
            Outcome.UPDATED.value: updated,
            Outcome.UNCHANGED.value: pending - created - updated,
        }
        counts = {outcome: n for outcome, n in found.items() if n}
        if target.shared is None or kept == pending:
            return counts, []
        return counts, _stored_under_other_ids(cursor, target, target.shared, where)


def _plan_by_index(cursor: CursorWrapper) -> None:
    """A range touches at most batch_rows rows, each found by index. Left to itself the
    PostgreSQL planner hashes whole tables (a seq scan of every loan, per statement, per
    range: 117 s instead of 30 s for a million loans in the benchmark)."""
    if connection.vendor == "postgresql":
        cursor.execute(
            "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off;"
            " SET LOCAL enable_seqscan = off"
        )


def _count_pending(cursor: CursorWrapper, target: Target, where: list[Any]) -> int:
    cursor.execute(f"SELECT COUNT(*) FROM {table(target.staged)} AS s WHERE {_IN_RANGE}", where)  # noqa: S608  model metadata
    return int(cursor.fetchone()[0])


def _create(
    cursor: CursorWrapper, target: Target, now: Any, where: list[Any], unmatched: int
) -> tuple[int, int]:
    """Insert the range's new rows: (those that kept their file id, all created). The rows
    that may keep theirs go first; the others then get an id from the sequence, which
    reserve_ids has moved past every file id."""
    kept = _insert(cursor, target, now, where, target.id_from, _keeps_its_id(target))
    created = kept
    if target.shared is not None and created < unmatched:
        created += _insert(cursor, target, now, where, None, _is_new(target))
    return kept, created


def _stored_under_other_ids(
    cursor: CursorWrapper, target: Target, shared_flag: str, where: list[Any]
) -> list[Problem]:
    """The range's rows whose stored id is not their Loan ID (only loans' ids may move), with
    why: the same warning on every import of the file, since the match is by key."""
    pk = _pk(target)
    source = _quote(target.id_from)
    shared = _quote(shared_flag)
    cursor.execute(
        f'SELECT s."row", s.{source}, t.{pk}, s.{shared} FROM {table(target.staged)} AS s'  # noqa: S608  model metadata
        f" JOIN {table(target.stored)} AS t ON {_key_match(target)}"
        f' WHERE {_IN_RANGE} AND t.{pk} <> s.{source} ORDER BY s."row"',
        where,
    )
    return [
        Problem(
            row,
            "Loan ID",
            f"Loan ID {source_id} is used by more than one customer in this file;"
            f" stored as loan {loan_id}."
            if is_shared
            else f"Loan ID {source_id} already belongs to another loan; stored as loan {loan_id}.",
        )
        for row, source_id, loan_id, is_shared in cursor.fetchall()
    ]


def reserve_file_ids(target: Target, job_id: int) -> None:
    """Move the stored table's id sequence past every id the file's accepted rows may take,
    so /register and /create-loan never collide with ids that came from a file (PostgreSQL
    sequences ignore explicit ids; SQLite's AUTOINCREMENT does not, but bumping it first also
    protects ids still to be written)."""
    found = target.staged.objects.filter(job_id=job_id, outcome__isnull=True).aggregate(
        top=Coalesce(Max(target.id_from), 0)
    )
    upto = int(found["top"])
    name = target.stored._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(seq, GREATEST(%s, COALESCE(pg_sequence_last_value(seq), 0), 1),"
                " GREATEST(%s, COALESCE(pg_sequence_last_value(seq), 0)) >= 1)"
                " FROM (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS seq) AS target",
                [upto, upto, name],
            )
        else:
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s", [upto, name]
            )
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) SELECT %s, %s"
                " WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = %s)",
                [name, upto, name],
            )
