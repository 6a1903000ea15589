"""The reader in a child process with hard limits, so that no workbook can take down the worker
or the server that ingests it.

A crafted workbook of a few KB can make a reader ask for hundreds of GiB (the allocation fails
and the Rust reader aborts its process), spin, or crash. So the bounds check and the reader run
in `python -m ingestion.child`, which limits its own address space (INGEST_READER_MEMORY_MB)
and processor time (INGEST_READER_CPU_SECONDS) before it opens the file, and this process gives
them INGEST_READER_SECONDS of waiting at most. The check and the reader are two such children,
side by side on the two cores (the reader's limits bound it while the check runs): no row is
taken from the reader before the check's verdict, and a refusal (or whatever ended the check)
is the file's message, whatever became of the reader meanwhile. The reader streams the
converted rows back in chunks through a pipe, ready for staging (COPY text or records), so
reading and converting on one core overlap with the database's writes on the other. Whatever
ends a child, the file fails as a whole with a row-less message (UnreadableFile) and this
process goes on.
"""

import logging
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
from django.conf import settings

from ingestion.bounds import NOT_A_WORKBOOK, Bounds
from ingestion.child import COUNT, HEADER
from ingestion.readers import UnreadableFile

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent

# A chunk of staged rows as staging writes it: COPY text, or records for executemany.
Payload = bytes | list[list[Any]]


@dataclass
class ChildSheet:
    """The sheet as the child reads it: the rows it declares, then chunks of (rows, payload)."""

    estimated_rows: int
    chunks: Iterator[tuple[int, Payload]]
    timings: dict[str, float] = field(default_factory=dict)


@contextmanager
def read_in_child(
    path: Path, kind: str, job_id: int, copy: bool, batch_rows: int
) -> Iterator[ChildSheet]:
    """The file's rows, read and converted by a limited child process; UnreadableFile if the
    file is refused or a child ends before it has answered in full."""
    plan = {
        "path": str(path),
        "kind": kind,
        "job_id": job_id,
        "copy": copy,
        "batch_rows": batch_rows,
        "reader": settings.INGEST_READER,
        "bounds": asdict(Bounds.configured()),
        "memory_mb": settings.INGEST_READER_MEMORY_MB,
        "cpu_seconds": settings.INGEST_READER_CPU_SECONDS,
    }
    deadline = time.monotonic() + settings.INGEST_READER_SECONDS
    with (
        _child({**plan, "task": "check"}, deadline) as check,
        _child({**plan, "task": "read"}, deadline) as reader,
    ):
        timings = orjson.loads(check.expect(b"D"))  # the verdict before any row
        sheet = ChildSheet(COUNT.unpack(reader.expect(b"H"))[0], iter(()), timings)
        sheet.chunks = reader.chunks(sheet, copy)
        yield sheet


@contextmanager
def _child(plan: dict[str, Any], deadline: float) -> Iterator["_Frames"]:
    """`python -m ingestion.child` doing the plan's task, its answers awaited until
    `deadline`; ended on the way out, unless it has said all it had to say."""
    with tempfile.TemporaryFile() as stderr:
        child = subprocess.Popen(
            [sys.executable, "-m", "ingestion.child"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        frames = _Frames(child, stderr, deadline)
        try:
            assert child.stdin is not None
            try:
                child.stdin.write(orjson.dumps(plan))
                child.stdin.close()
            except BrokenPipeError:
                pass  # the child ended at once: its frames say why
            yield frames
        finally:
            frames.end()


class _Frames:
    """A child's answers, each awaited until the deadline at most."""

    def __init__(
        self, child: "subprocess.Popen[bytes]", stderr: IO[bytes], deadline: float
    ) -> None:
        self.child = child
        self.stderr = stderr
        self.deadline = deadline
        self.done = False
        assert child.stdout is not None
        self.fd = child.stdout.fileno()

    def chunks(self, sheet: ChildSheet, copy: bool) -> Iterator[tuple[int, Payload]]:
        while True:
            kind, payload = self._next()
            if kind == b"D":
                sheet.timings = {**sheet.timings, **orjson.loads(payload)}
                self.done = True
                return
            if kind != b"R":
                self._unexpected(kind, payload)
            rows = COUNT.unpack_from(payload)[0]
            body = payload[COUNT.size :]
            yield rows, (body if copy else orjson.loads(body))

    def expect(self, wanted: bytes) -> bytes:
        kind, payload = self._next()
        if kind != wanted:
            self._unexpected(kind, payload)
        self.done = kind == b"D"
        return payload

    def _unexpected(self, kind: bytes, payload: bytes) -> None:
        if kind == b"E":
            refused = orjson.loads(payload)
            raise UnreadableFile(refused["message"], refused["column"], refused["row"])
        if kind == b"M":
            raise self._out_of_memory()
        raise self._failed(f"an unexpected answer {kind!r}")

    def _next(self) -> tuple[bytes, bytes]:
        kind, length = HEADER.unpack(self._read(HEADER.size))
        return kind, self._read(length)

    def _read(self, size: int) -> bytes:
        parts: list[bytes] = []
        while size:
            left = self.deadline - time.monotonic()
            ready, _, _ = select.select([self.fd], [], [], max(left, 0))
            if not ready:
                self._kill()
                raise UnreadableFile(
                    f"Reading the file took longer than {settings.INGEST_READER_SECONDS} seconds "
                    "(INGEST_READER_SECONDS)."
                )
            part = os.read(self.fd, min(size, 1 << 20))
            if not part:
                raise self._ended()
            parts.append(part)
            size -= len(part)
        return b"".join(parts)

    def _ended(self) -> UnreadableFile:
        """Why the child stopped before its last answer."""
        code = self.child.wait()
        if code in (-signal.SIGXCPU, -signal.SIGKILL):
            return UnreadableFile(
                f"Reading the file took more than {settings.INGEST_READER_CPU_SECONDS} seconds "
                "of processor time (INGEST_READER_CPU_SECONDS)."
            )
        if code == -signal.SIGABRT:  # an allocation the limit refused, in the Rust reader
            return self._out_of_memory()
        return self._failed(f"exit status {code}")

    def _out_of_memory(self) -> UnreadableFile:
        self._log("ran out of memory")
        return UnreadableFile(
            f"Reading the file needs more than {settings.INGEST_READER_MEMORY_MB} MB of memory "
            "(INGEST_READER_MEMORY_MB)."
        )

    def _failed(self, why: str) -> UnreadableFile:
        self._log(f"failed ({why})")
        return UnreadableFile(NOT_A_WORKBOOK)

    def _log(self, what: str) -> None:
        self.stderr.seek(0)
        tail = self.stderr.read()[-4000:].decode(errors="replace")
        logger.warning("The reader's child process %s; it said: %s", what, tail)

    def _kill(self) -> None:
        if self.child.poll() is None:
            self.child.kill()
        self.child.wait()

    def end(self) -> None:
        """The child is gone once the file is read, refused or abandoned."""
        assert self.child.stdout is not None
        self.child.stdout.close()
        if not self.done:
            self._kill()
            return
        try:
            self.child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._kill()
