"""Progress of a long command (ingest_data, generate_sample_data): on a terminal a tqdm bar with
the rate and the time left; elsewhere (a log file, CI, a pipe) one plain line at most every
PLAIN_EVERY_SECONDS, with the same figures and no carriage returns."""

import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, TextIO

from tqdm import tqdm

from ingestion.models import IngestionJob

PLAIN_EVERY_SECONDS = 10.0
UNIT = " rows"
# rows/s however slow: tqdm's own rate_fmt turns below one row a second into "1.06s/ rows".
PLAIN_LINE = (
    "{desc} {n_fmt}/{total_fmt} rows ({percentage:.0f}%), {rate_noinv_fmt}, {remaining} left"
)


class Progress:
    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._clock = clock
        self._started = self._last_line = clock()
        self._terminal = stream.isatty()
        self._bar: tqdm[Any] | None = None  # drawn from the first figures on, not before

    def show(self, done: int, total: int, phase: str) -> None:
        if self._terminal:
            self._draw(done, total, phase)
            return
        now = self._clock()
        if now - self._last_line >= PLAIN_EVERY_SECONDS:
            self._last_line = now
            line = tqdm.format_meter(
                done, total, now - self._started, prefix=phase, unit=UNIT, bar_format=PLAIN_LINE
            )
            self._stream.write(line + "\n")
            self._stream.flush()

    def _draw(self, done: int, total: int, phase: str) -> None:
        if self._bar is None:
            self._bar = tqdm(file=self._stream, unit=UNIT, total=total, desc=phase)
        bar = self._bar
        bar.total = total
        bar.set_description_str(phase, refresh=False)
        bar.update(done - bar.n)

    def show_job(self, job: IngestionJob) -> None:
        """An ingestion job's progress (its on_progress callback)."""
        self.show(job.processed_rows, job.total_rows, job.phase or "done")

    def __enter__(self) -> "Progress":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        """The bar's last state stays on its own line, so what follows starts a new one."""
        if self._bar is not None:
            self._bar.close()
