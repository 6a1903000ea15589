"""Ingestion jobs: accept the files, then per file parse into staging, check, merge in batches.

Each step commits with the job row locked and checked against the run's token, so counts,
errors and written rows move together; a killed run leaves a job that a re-run resumes:
finished steps are skipped, a half-read file is read again, merged row ranges are not redone.
"""

import gc
import logging
import queue
import resource
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ingestion import merge, staging
from ingestion.errors import JobBusy, LeaseLost
from ingestion.kinds import ORDER, SPECS
from ingestion.metrics import record_ingested_rows
from ingestion.models import FileKind, IngestionJob, JobStatus, Outcome
from ingestion.readers import UnreadableFile, open_sheet
from ingestion.rows import row_converter, usual_row_texts

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[IngestionJob], None]


class Upload(Protocol):
    name: str | None

    def chunks(self) -> Iterator[bytes]: ...


def create_job(uploads: Mapping[str, Upload]) -> IngestionJob:
    """A queued job with the uploads stored under INGEST_DIR/<job id>/. If storing them fails
    (a full disk, the database), the folder goes too: the request's transaction rolls the job
    back, and nothing would ever read or remove the files."""
    job = IngestionJob.objects.create(batch_rows=settings.INGEST_BATCH_ROWS)
    folder = Path(settings.INGEST_DIR) / str(job.pk)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        files: dict[str, Any] = {}
        for kind in ORDER:
            upload = uploads.get(kind)
            if upload is None:
                continue
            path = folder / kind
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            files[kind] = {
                "name": upload.name or kind,
                "path": str(path),
                "owned": True,
                "rows": 0,
            }
        job.files = files
        job.save(update_fields=["files"])
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return job


def create_job_for_paths(paths: Mapping[str, Path]) -> IngestionJob:
    """A queued job over files already on disk (the command line); they are never removed."""
    files: dict[str, Any] = {}
    for kind in ORDER:
        path = paths.get(kind)
        if path is None:
            continue
        files[kind] = {"name": path.name, "path": str(path.resolve()), "owned": False, "rows": 0}
    return IngestionJob.objects.create(batch_rows=settings.INGEST_BATCH_ROWS, files=files)


def start_in_background(job: IngestionJob) -> None:
    """After the request's transaction commits: a Celery task on Redis, else a thread here."""
    job_id = job.pk
    transaction.on_commit(lambda: dispatch(job_id))


def dispatch(job_id: int) -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        threading.Thread(
            target=_run_in_thread, args=(job_id,), name=f"ingest-{job_id}", daemon=True
        ).start()
        return
    from ingestion.tasks import run_ingestion

    run_ingestion.delay(job_id)


def _run_in_thread(job_id: int) -> None:
    try:
        run_job(job_id)
    except Exception:
        logger.exception("Ingestion job %s failed", job_id)
    finally:
        connection.close()


def run_job(job_id: int, on_progress: ProgressCallback | None = None) -> None:
    """Run or resume the job. Finished jobs are left alone; a live run elsewhere → JobBusy."""
    token = _claim(job_id)
    if token is None:
        return
    run = _Run(job_id, token, on_progress)
    current: FileKind | None = None
    try:
        files = IngestionJob.objects.get(pk=job_id).files
        for kind in ORDER:
            if kind in files:
                current = kind
                run.ingest(kind)
    except UnreadableFile as exc:
        run.finish(JobStatus.FAILED, failure=(current, exc.row, exc.column, exc.message))
    except LeaseLost:
        logger.warning("Ingestion job %s was taken over by another run", job_id)
    except Exception:
        run.finish(JobStatus.FAILED, failure=(current, None, None, "Internal error; see the log."))
        raise
    else:
        run.finish(JobStatus.SUCCEEDED)
        _count_in_metrics(job_id)


def _count_in_metrics(job_id: int) -> None:
    """Rows by result for /metrics, once per job: only the run that finishes it gets here."""
    counts = IngestionJob.objects.get(pk=job_id).ordered_counts()
    for kind, outcomes in counts.items():
        for outcome, rows in outcomes.items():
            if rows:
                record_ingested_rows(kind, outcome, rows)


def _claim(job_id: int) -> uuid.UUID | None:
    with transaction.atomic():
        job = IngestionJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            logger.warning("Ingestion job %s does not exist", job_id)
            return None
        if job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
            return None
        now = timezone.now()
        lease = timedelta(seconds=settings.INGEST_LEASE_SECONDS)
        if job.status == JobStatus.RUNNING and job.heartbeat_at and job.heartbeat_at > now - lease:
            raise JobBusy(f"Ingestion job {job_id} is running elsewhere.")
        job.status = JobStatus.RUNNING
        job.run_token = uuid.uuid4()
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        job.save()
        return job.run_token


def _peak_rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


class _Run:
    """One run of one job: every write goes through `step`, which proves it still owns it."""

    def __init__(self, job_id: int, token: uuid.UUID, on_progress: ProgressCallback | None):
        self.job_id = job_id
        self.token = token
        self.on_progress = on_progress

    @contextmanager
    def step(self, phase: str, durable: bool = True) -> Iterator[IngestionJob]:
        """`durable=False` (bulk writes: staging chunks, merge ranges) commits without waiting
        for the WAL flush. A database crash can then lose the last such commits, but whole and
        in order, each with the progress the job noted in it, so the re-run redoes exactly
        them; the steps that end a phase or the job are durable and flush all before them."""
        with transaction.atomic():
            if not durable and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")
            job = IngestionJob.objects.select_for_update().get(pk=self.job_id)
            if job.run_token != self.token:
                raise LeaseLost
            job.phase = phase
            yield job
            job.heartbeat_at = timezone.now()
            job.save()
        if self.on_progress is not None:
            self.on_progress(job)

    def ingest(self, kind: FileKind) -> None:
        job = IngestionJob.objects.get(pk=self.job_id)
        if f"{kind}:parsed" not in job.steps_done:
            self.parse(kind, Path(job.files[kind]["path"]), job.batch_rows)
        if f"{kind}:merged" not in job.steps_done:
            self.merge(kind, job.batch_rows)

    def parse(self, kind: FileKind, path: Path, batch_rows: int) -> None:
        """Read, convert and stage every row; then reject, in one go, what needs the whole file."""
        with self.step(f"{kind}: reading"):
            staging.clear(SPECS[kind].target.staged, self.job_id)
        timing = {"open_s": 0.0, "read_s": 0.0, "validate_s": 0.0, "stage_s": 0.0}
        # Millions of short-lived lists, none in a cycle: the cyclic collector only costs time.
        gc.disable()
        try:
            rows = self._stage(kind, path, batch_rows, timing)
        finally:
            gc.enable()
        timing["peak_rss_mb_parse"] = _peak_rss_mb()
        mark = time.perf_counter()
        with self.step(f"{kind}: checking") as job:
            problems = staging.parse_errors(SPECS[kind].target.staged, self.job_id)
            # A stable sort: a row's parse errors keep their column order (the whole-file checks
            # add at most one problem per row, and only to rows that had none).
            checked = SPECS[kind].check_whole_file(self.job_id)
            problems = sorted([*problems, *checked], key=lambda p: p.row)
            rejected = len({problem.row for problem in problems})
            self._set_rows(job, kind, rows)
            job.errors = [*job.errors, *(problem.as_dict(kind) for problem in problems)]
            job.add_count(kind, Outcome.REJECTED, rejected)
            job.processed_rows += rejected
            job.steps_done = [*job.steps_done, f"{kind}:parsed"]
            timing["check_s"] = time.perf_counter() - mark
            timing["rows"] = rows
            job.timings = {**job.timings, f"{kind}:parse": _rounded(timing)}

    def _stage(self, kind: FileKind, path: Path, batch_rows: int, timing: dict[str, float]) -> int:
        headers = SPECS[kind].headers
        rows = 0
        mark = time.perf_counter()
        with open_sheet(path, headers, reader=settings.INGEST_READER) as sheet:
            timing["open_s"] = time.perf_counter() - mark
            timing["peak_rss_mb_open"] = _peak_rss_mb()
            with self.step(f"{kind}: reading") as job:
                self._set_rows(job, kind, sheet.estimated_rows)
            encode = _encoder(self.job_id, kind)
            with _StageWriter(self, kind, timing) as writer:
                while True:
                    mark = time.perf_counter()
                    chunk = list(islice(sheet.rows, batch_rows))
                    timing["read_s"] += time.perf_counter() - mark
                    if not chunk:
                        break
                    mark = time.perf_counter()
                    payload = encode(chunk)
                    timing["validate_s"] += time.perf_counter() - mark
                    writer.put(payload)
                    rows += len(chunk)
        return rows

    def merge(self, kind: FileKind, batch_rows: int) -> None:
        """Row range by row range, each in one commit with its counts and its mark in the job:
        `merged_through` (every row below it is merged) and `merged_ranges` (done above it).

        On PostgreSQL outside a transaction two connections merge ranges side by side (the
        database then works on both cores); each takes the job's lock only to note its range,
        just before its commit, so neither waits for the other's statements."""
        started = time.perf_counter()
        target = SPECS[kind].target
        low, high = staging.row_span(target.staged, self.job_id)
        with self.step(f"{kind}: writing") as job:
            merge.reserve_file_ids(target, self.job_id)
            entry = job.files[kind]
            entry["merged_through"] = done = max(entry.get("merged_through", 0), low)
            finished = {begun for begun, _ in entry.get("merged_ranges", [])}
        may_match = merge.may_match(target, self.job_id)
        todo = [
            (start, end)
            for start, end in staging.ranges(done, high, batch_rows)
            if start not in finished
        ]
        if connection.vendor == "postgresql" and not connection.in_atomic_block and len(todo) > 1:
            self._merge_side_by_side(kind, todo, may_match)
        else:
            for start, end in todo:
                self._merge_range(kind, start, end, may_match)
        with self.step(f"{kind}: writing") as job:
            job.steps_done = [*job.steps_done, f"{kind}:merged"]
            # Side by side, ranges finish in any order: the warnings are put in row order.
            job.warnings = sorted(
                job.warnings, key=lambda item: (ORDER.index(item["file"]), item["row"])
            )
            merged = {"merge_s": time.perf_counter() - started, "peak_rss_mb": _peak_rss_mb()}
            job.timings = {**job.timings, f"{kind}:merge": _rounded(merged)}

    def _merge_range(self, kind: FileKind, start: int, end: int, may_match: bool) -> None:
        with transaction.atomic():
            target = SPECS[kind].target
            counts, moved = merge.merge_range(target, self.job_id, start, end, may_match)
            with self.step(f"{kind}: writing", durable=False) as job:
                for outcome, n in counts.items():
                    job.add_count(kind, outcome, n)
                    job.processed_rows += n
                job.warnings = [*job.warnings, *(problem.as_dict(kind) for problem in moved)]
                entry = job.files[kind]
                pending = dict(entry.get("merged_ranges", []))
                pending[start] = end
                through = entry["merged_through"]
                while through in pending:
                    through = pending.pop(through)
                entry["merged_through"] = through
                entry["merged_ranges"] = sorted([begun, ended] for begun, ended in pending.items())

    def _merge_side_by_side(
        self, kind: FileKind, todo: list[tuple[int, int]], may_match: bool
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
                    self._merge_range(kind, *current, may_match)
                except BaseException as exc:
                    errors.append(exc)
                    raise

        def helper() -> None:
            try:
                work()
            except BaseException:  # recorded in `errors` for the main thread
                logger.debug("Merge helper of job %s stopped", self.job_id, exc_info=True)
            finally:
                connection.close()

        thread = threading.Thread(target=helper, name=f"ingest-{self.job_id}-merge", daemon=True)
        thread.start()
        try:
            work()
        finally:
            thread.join()
        if errors:
            raise errors[0]

    @staticmethod
    def _set_rows(job: IngestionJob, kind: FileKind, rows: int) -> None:
        job.files[kind]["rows"] = rows
        job.total_rows = sum(entry["rows"] for entry in job.files.values())

    def finish(
        self,
        status: JobStatus,
        failure: tuple[FileKind | None, int | None, str | None, str] | None = None,
    ) -> None:
        with self.step("") as job:
            for spec in SPECS.values():
                staging.clear(spec.target.staged, self.job_id)
            if failure is not None:
                kind, row, column, message = failure
                job.errors = [
                    *job.errors,
                    {
                        "file": kind,
                        "row": row,
                        "column": column,
                        "message": message,
                    },
                ]
            job.status = status
            job.finished_at = timezone.now()
            job.run_token = None
            owned = [Path(entry["path"]) for entry in job.files.values() if entry.get("owned")]
        if owned:  # uploads, all in the job's own folder under INGEST_DIR
            shutil.rmtree(owned[0].parent, ignore_errors=True)
        logger.info("Ingestion job %s %s: %s", self.job_id, status, job.counts)


class _StageWriter:
    """Writes encoded chunks into staging, each in its own step, while the next chunk is read.

    On PostgreSQL outside a transaction (the worker, the command) a second thread with its
    own connection sends each chunk's COPY text (encoded by the reading thread), so the
    database stores one chunk while the next is converted. Sending holds the GIL only
    briefly; formatting in that thread instead made both threads fight for it. At most one
    chunk waits in between. Inside a transaction (tests, which hold the job uncommitted) a
    second connection could not see the job, so the chunk is written here.
    """

    def __init__(self, run: "_Run", kind: FileKind, timing: dict[str, float]) -> None:
        self.run = run
        self.kind = kind
        self.timing = timing
        self.error: BaseException | None = None
        self.stop = False
        self.queue: queue.Queue[staging.Payload | None] = queue.Queue(maxsize=1)
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

    def put(self, payload: staging.Payload) -> None:
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

    def _write(self, payload: staging.Payload) -> None:
        mark = time.perf_counter()
        with self.run.step(f"{self.kind}: reading", durable=False):
            staging.write_staged(SPECS[self.kind].target.staged, payload)
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


def _encoder(
    job_id: int, kind: FileKind
) -> Callable[[list[tuple[int, list[Any]]]], staging.Payload]:
    """Read rows to what `staging.write_staged` takes: COPY text on PostgreSQL (usual rows in
    one pass from cells to text), converted records elsewhere."""
    convert = _converter(kind)
    if connection.vendor == "postgresql":
        spec = SPECS[kind]
        usual = usual_row_texts(spec.fields, spec.usual_row_passes)
        return lambda chunk: staging.copy_text(job_id, chunk, usual, convert)
    return lambda chunk: staging.records(
        job_id, [convert(number, cells) for number, cells in chunk]
    )


def _converter(kind: FileKind) -> Callable[[int, list[Any]], staging.StagedValues]:
    convert_cells = row_converter(SPECS[kind].fields)
    check_row = SPECS[kind].check_row

    def convert(number: int, cells: list[Any]) -> staging.StagedValues:
        values, errors = convert_cells(cells)
        if check_row is not None:
            check_row(values, errors)
        return number, values, errors

    return convert


def _rounded(timing: dict[str, float]) -> dict[str, float]:
    return {key: round(value, 3) for key, value in timing.items()}
