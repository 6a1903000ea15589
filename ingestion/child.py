"""The reader's side of an ingestion, run as `python -m ingestion.child` by ingestion.sandbox:
a process of its own, with hard limits set before it opens the file, so that whatever a
workbook makes a reader do (ask for 512 GiB, spin, crash) ends this process only.

It reads its plan (JSON) on stdin; limits its address space (RLIMIT_AS) and processor time
(RLIMIT_CPU); then does its task. "check": the workbook's bounds (ingestion.bounds), in a
process of its own beside the reader's, so that the check's verdict outlives a reader that the
file kills. "read": the sheet, every row converted (ingestion.rows) to what staging takes: COPY
text on PostgreSQL, JSON records elsewhere. It answers on stdout in frames, a kind byte and a
length: "H" the rows the sheet declares, "R" a chunk of rows (their count, then the payload),
"E" a refusal (UnreadableFile: message, column, row), "D" done (the timings). Free of Django:
no database, no settings, nothing of the parent's but the plan.
"""

import gc
import json
import resource
import struct
import sys
import time
from collections.abc import Callable, Sequence
from itertools import islice
from pathlib import Path
from typing import IO, Any

import orjson

from ingestion.bounds import Bounds, check_workbook
from ingestion.readers import UnreadableFile, open_sheet
from ingestion.rows import ROW_RULES, RowRules, row_converter, usual_row_texts

HEADER = struct.Struct(">cQ")
COUNT = struct.Struct(">I")

# A row as staging stores it: its Excel row number, its values, its (column, message) errors.
StagedValues = tuple[int, list[Any], list[tuple[str, str]]]


def main() -> None:
    plan = json.loads(sys.stdin.buffer.read())
    limit(plan["memory_mb"], plan["cpu_seconds"])
    # Millions of short-lived lists, none in a cycle: the cyclic collector only costs time.
    gc.disable()
    out = sys.stdout.buffer
    try:
        TASKS[plan["task"]](plan, out)
    except UnreadableFile as refused:
        answer = {"message": refused.message, "column": refused.column, "row": refused.row}
        send(out, b"E", json.dumps(answer).encode())
    except MemoryError:
        send(out, b"M", b"")
    out.flush()


def limit(memory_mb: int, cpu_seconds: int) -> None:
    """Hard limits for this process: an allocation past `memory_mb` of address space fails
    (MemoryError, or an abort in the Rust reader), and `cpu_seconds` of processor time end it
    (SIGXCPU, then SIGKILL a second later)."""
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def check(plan: dict[str, Any], out: IO[bytes]) -> None:
    mark = time.perf_counter()
    check_workbook(Path(plan["path"]), Bounds(**plan["bounds"]))
    send(out, b"D", json.dumps({"bounds_s": time.perf_counter() - mark}).encode())


def read(plan: dict[str, Any], out: IO[bytes]) -> None:
    """The sheet's rows in chunks, once the workbook is open: the parent reads none of them
    before the check's verdict, and this process's limits bound what the reader may do until
    then."""
    path = Path(plan["path"])
    rules = ROW_RULES[plan["kind"]]
    timings = {"open_s": 0.0, "read_s": 0.0, "validate_s": 0.0}
    encode = encoder(plan["job_id"], rules, copy=plan["copy"])
    mark = time.perf_counter()
    with open_sheet(path, rules.headers, reader=plan["reader"]) as sheet:
        timings["open_s"] = time.perf_counter() - mark
        send(out, b"H", COUNT.pack(min(sheet.estimated_rows, 2**32 - 1)))
        while True:
            mark = time.perf_counter()
            chunk = list(islice(sheet.rows, plan["batch_rows"]))
            timings["read_s"] += time.perf_counter() - mark
            if not chunk:
                break
            mark = time.perf_counter()
            payload = encode(chunk)
            timings["validate_s"] += time.perf_counter() - mark
            send(out, b"R", COUNT.pack(len(chunk)) + payload)
    timings["peak_rss_mb_read"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    send(out, b"D", json.dumps(timings).encode())


TASKS: dict[str, Callable[[dict[str, Any], IO[bytes]], None]] = {"check": check, "read": read}


def send(out: IO[bytes], kind: bytes, payload: bytes) -> None:
    out.write(HEADER.pack(kind, len(payload)))
    out.write(payload)


# --- Rows to what staging takes -------------------------------------------------------------


def encoder(
    job_id: int, rules: RowRules, copy: bool
) -> Callable[[list[tuple[int, list[Any]]]], bytes]:
    """Read rows to a staging payload: COPY text (PostgreSQL; usual rows in one pass from cells
    to text), or JSON records for executemany (elsewhere)."""
    convert = converter(rules)
    if copy:
        usual = usual_row_texts(rules.fields, rules.usual_row_passes)
        return lambda chunk: copy_text(job_id, chunk, usual, convert)
    return lambda chunk: records(job_id, [convert(number, cells) for number, cells in chunk])


def converter(rules: RowRules) -> Callable[[int, list[Any]], StagedValues]:
    convert_cells = row_converter(rules.fields)
    check_row = rules.check_row

    def convert(number: int, cells: list[Any]) -> StagedValues:
        values, errors = convert_cells(cells)
        if check_row is not None:
            check_row(values, errors)
        return number, values, errors

    return convert


def record(
    job_id: int, number: int, values: list[Any], errors: list[tuple[str, str]]
) -> tuple[Any, ...]:
    """A staged row's columns: the bookkeeping (staging.BOOKKEEPING, in its order: the job, the
    row, its errors, its outcome), then the cells."""
    return (
        job_id,
        number,
        json.dumps(errors) if errors else None,
        "rejected" if errors else None,
        *values,
    )


def records(job_id: int, rows: Sequence[StagedValues]) -> bytes:
    """Converted rows as executemany parameters, in JSON: a Decimal or a date as the text
    Django's SQLite backend stores for it."""
    return orjson.dumps([record(job_id, *row) for row in rows], default=str)


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_field(value: Any) -> str:
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
    other row is converted to its values and errors, then printed."""
    field = copy_field
    good = f"{job_id}\t%d\t\\N\t\\N\t"

    def line(number: int, cells: list[Any]) -> str:
        texts = usual(cells)
        if texts is not None:
            return good % number + "\t".join(texts)
        return "\t".join([field(value) for value in record(job_id, *convert(number, cells))])

    lines = [line(number, cells) for number, cells in chunk]
    lines.append("")
    return "\n".join(lines).encode()


if __name__ == "__main__":
    main()
