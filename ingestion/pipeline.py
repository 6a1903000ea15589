"""One file of a job through the pipeline: read the sheet, convert and check each row, stage the
rows, run the checks that need the whole file, then merge into the stored tables range by range.

Every write is a step of the job's run (ingestion.jobs), committed with the progress it makes,
so a re-run skips finished steps, reads a half-read file again and merges only the ranges not
yet committed.
"""

import logging
import queue
import resource
import threading
import time
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from ingestion import merge, staging
from ingestion.jobs import JobRun
from ingestion.kinds import ORDER, FileSpec
from ingestion.models import IngestionJob, Outcome
from ingestion.sandbox import Payload, read_in_child

logger = logging.getLogger(__name__)

Timing = dict[str, float]


# Rows of each outcome a dry run shows.
PREVIEW_ROWS = 10


def ingest_file(run: JobRun, spec: FileSpec) -> None:
    job = IngestionJob.objects.get(pk=run.job_id)
    if f"{spec.kind}:parsed" not in job.steps_done:
        _read_and_check(run, spec, Path(job.files[spec.kind]["path"]), job.batch_rows)
    if f"{spec.kind}:merged" not in job.steps_done:
        if job.dry_run:
            _note_preview(run, spec)
        _merge(run, spec, job.batch_rows)


def _note_preview(run: JobRun, spec: FileSpec) -> None:
    """A dry run's first rows of each outcome, as the merge about to run will find them (the
    rejected ones are the job's errors), with their cells as the file gave them."""
    with run.step(f"{spec.kind}: previewing") as job:
        rows = merge.first_rows(spec.target, run.job_id, PREVIEW_ROWS)
        rejected = sorted(
            {problem["row"] for problem in job.errors if problem["file"] == spec.kind}
        )
        rows[Outcome.REJECTED.value] = rejected[:PREVIEW_ROWS]
        cells = staging.cells_of(
            spec.target.staged,
            run.job_id,
            spec.headers,
            [n for found in rows.values() for n in found],
        )
        job.preview = {
            **job.preview,
            spec.kind: {outcome: [cells[row] for row in found] for outcome, found in rows.items()},
        }


# --- Read, validate, stage ----------------------------------------------------------------


def _read_and_check(run: JobRun, spec: FileSpec, path: Path, batch_rows: int) -> None:
    """Read, convert and stage every row; then reject, in one go, what needs the whole file."""
    with run.step(f"{spec.kind}: reading"):
        staging.clear(spec.target.staged, run.job_id)
    timing = {"stage_s": 0.0}
    rows = _stage_rows(run, spec, path, batch_rows, timing)
    timing["peak_rss_mb_parse"] = _peak_rss_mb()
    _check_whole_file(run, spec, rows, timing)


def _stage_rows(run: JobRun, spec: FileSpec, path: Path, batch_rows: int, timing: Timing) -> int:
    """The file's rows, read, checked and converted by a child process with hard limits
    (ingestion.sandbox), staged as they come."""
    rows = 0
    copy = connection.vendor == "postgresql"
    with read_in_child(path, spec.kind, run.job_id, copy, batch_rows) as sheet:
        with run.step(f"{spec.kind}: reading") as job:
            job.set_rows(spec.kind, sheet.estimated_rows)
        with _StageWriter(run, spec, timing) as writer:
            for count, payload in sheet.chunks:
                writer.put(payload)
                rows += count
    timing.update(sheet.timings)
    return rows


def _check_whole_file(run: JobRun, spec: FileSpec, rows: int, timing: Timing) -> None:
    """The rows' own errors and the whole-file checks' rejections, reported in one step."""
    mark = time.perf_counter()
    with run.step(f"{spec.kind}: checking") as job:
        problems = staging.parse_errors(spec.target.staged, run.job_id)
        # A stable sort: a row's parse errors keep their column order (the whole-file checks
        # add at most one problem per row, and only to rows that had none).
        problems = sorted([*problems, *spec.check_whole_file(run.job_id)], key=lambda p: p.row)
        rejected = len({problem.row for problem in problems})
        job.set_rows(spec.kind, rows)
        job.errors = [*job.errors, *(problem.as_dict(spec.kind) for problem in problems)]
        job.add_count(spec.kind, Outcome.REJECTED, rejected)
        job.processed_rows += rejected
        job.steps_done = [*job.steps_done, f"{spec.kind}:parsed"]
        timing["check_s"] = time.perf_counter() - mark
        timing["rows"] = rows
        job.timings = {**job.timings, f"{spec.kind}:parse": _rounded(timing)}


class _StageWriter:
    """Writes encoded chunks into staging, each in its own step, while the next chunk is read.

    On PostgreSQL outside a transaction (the worker, the command) a second thread with its
    own connection sends each chunk's COPY text (encoded by the reading thread), so the
    database stores one chunk while the next is converted. Sending holds the GIL only
    briefly; formatting in that thread instead made both threads fight for it. At most one
    chunk waits in between. Inside a transaction (tests, which hold the job uncommitted) a
    second connection could not see the job, so the chunk is written here.
    """

    def __init__(self, run: JobRun, spec: FileSpec, timing: Timing) -> None:
        self.run = run
        self.spec = spec
        self.timing = timing
        self.error: BaseException | None = None
        self.stop = False
        self.queue: queue.Queue[Payload | None] = queue.Queue(maxsize=1)
        self.thread: threading.Thread | None = None
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            self.thread = threading.Thread(
                target=self._loop, name=f"ingest-{run.job_id}-stage", daemon=True
            )

    def __enter__(self) -> "_StageWriter":
        if self.thread is not None:
            self.thread.start()
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if self.thread is None:
            return
        if error is not None:
            self.stop = True  # the file failed or the run is ending: write nothing more
        self.queue.put(None)
        self.thread.join()
        if error is None and self.error is not None:
            raise self.error

    def put(self, payload: Payload) -> None:
        if self.thread is None:
            self._write(payload)
            return
        if self.error is not None:
            raise self.error
        mark = time.perf_counter()
        self.queue.put(payload)
        self.timing["stage_wait_s"] = self.timing.get("stage_wait_s", 0.0) + (
            time.perf_counter() - mark
        )

    def _write(self, payload: Payload) -> None:
        mark = time.perf_counter()
        with self.run.step(f"{self.spec.kind}: reading", durable=False):
            staging.write_staged(self.spec.target.staged, payload)
        self.timing["stage_s"] += time.perf_counter() - mark

    def _loop(self) -> None:
        try:
            while (payload := self.queue.get()) is not None:
                if self.stop or self.error is not None:
                    continue  # drain, so the reader never blocks on a full queue
                try:
                    self._write(payload)
                except BaseException as exc:  # handed to the reading thread
                    self.error = exc
        finally:
            connection.close()


# --- Merge --------------------------------------------------------------------------------


def _merge(run: JobRun, spec: FileSpec, batch_rows: int) -> None:
    """Row range by row range, each in one commit with its counts and its mark in the job:
    `merged_through` (every row below it is merged) and `merged_ranges` (done above it).

    On PostgreSQL outside a transaction two connections merge ranges side by side (the
    database then works on both cores); each takes the job's lock only to note its range,
    just before its commit, so neither waits for the other's statements."""
    started = time.perf_counter()
    todo = _ranges_to_merge(run, spec, batch_rows)
    may_match = merge.may_match(spec.target, run.job_id)
    if connection.vendor == "postgresql" and not connection.in_atomic_block and len(todo) > 1:
        _merge_side_by_side(run, spec, todo, may_match)
    else:
        for start, end in todo:
            _merge_range(run, spec, start, end, may_match)
    with run.step(f"{spec.kind}: writing") as job:
        job.steps_done = [*job.steps_done, f"{spec.kind}:merged"]
        # Side by side, ranges finish in any order: the warnings are put in row order.
        job.warnings = sorted(
            job.warnings, key=lambda item: (ORDER.index(item["file"]), item["row"])
        )
        merged = {"merge_s": time.perf_counter() - started, "peak_rss_mb": _peak_rss_mb()}
        job.timings = {**job.timings, f"{spec.kind}:merge": _rounded(merged)}


def _ranges_to_merge(run: JobRun, spec: FileSpec, batch_rows: int) -> list[tuple[int, int]]:
    """The row ranges no run has merged yet, once the id sequence is past the file's ids."""
    low, high = staging.row_span(spec.target.staged, run.job_id)
    with run.step(f"{spec.kind}: writing") as job:
        merge.reserve_file_ids(spec.target, run.job_id)
        entry = job.files[spec.kind]
        entry["merged_through"] = done = max(entry.get("merged_through", 0), low)
        finished = {begun for begun, _ in entry.get("merged_ranges", [])}
    return [
        (start, end)
        for start, end in staging.ranges(done, high, batch_rows)
        if start not in finished
    ]


def _merge_range(run: JobRun, spec: FileSpec, start: int, end: int, may_match: bool) -> None:
    with transaction.atomic():
        counts, moved = merge.merge_range(spec.target, run.job_id, start, end, may_match)
        with run.step(f"{spec.kind}: writing", durable=False) as job:
            for outcome, n in counts.items():
                job.add_count(spec.kind, outcome, n)
                job.processed_rows += n
            job.warnings = [*job.warnings, *(problem.as_dict(spec.kind) for problem in moved)]
            _mark_merged(job.files[spec.kind], start, end)


def _mark_merged(entry: dict[str, Any], start: int, end: int) -> None:
    """Note the range [start, end) merged: `merged_through` moves up over every range that
    now joins it; the others wait in `merged_ranges`."""
    pending = dict(entry.get("merged_ranges", []))
    pending[start] = end
    through = entry["merged_through"]
    while through in pending:
        through = pending.pop(through)
    entry["merged_through"] = through
    entry["merged_ranges"] = sorted([begun, ended] for begun, ended in pending.items())


def _merge_side_by_side(
    run: JobRun, spec: FileSpec, todo: list[tuple[int, int]], may_match: bool
) -> None:
    """`todo` shared by this thread and a helper with its own connection; the first error
    stops both and is raised here."""
    ranges = iter(todo)
    lock = threading.Lock()
    errors: list[BaseException] = []

    def work() -> None:
        while not errors:
            with lock:
                current = next(ranges, None)
            if current is None:
                return
            try:
                _merge_range(run, spec, *current, may_match)
            except BaseException as exc:
                errors.append(exc)
                raise

    def helper() -> None:
        try:
            work()
        except BaseException:  # recorded in `errors` for the main thread
            logger.debug("Merge helper of job %s stopped", run.job_id, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=helper, name=f"ingest-{run.job_id}-merge", daemon=True)
    thread.start()
    try:
        work()
    finally:
        thread.join()
    if errors:
        raise errors[0]


def _peak_rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def _rounded(timing: Timing) -> Timing:
    return {key: round(value, 3) for key, value in timing.items()}
