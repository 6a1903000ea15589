"""JSON lines for production logs, one object per record, so log shippers need no parsing rules;
and the request id every record written while serving a request (or running a task it started)
carries, so one search finds all of them.

Free of Django on purpose: gunicorn loads it for its own log lines too.
"""

import json
import logging
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson

# The id of the request (or of the request that started the task) this code is working for.
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)

# Whether this process says a server's start-up lines (config/startup.py). gunicorn loads the
# application in each worker; its post_fork hook (config/gunicorn.py) leaves them to the first.
say_start_up_lines = True

# Attributes every LogRecord has; anything else on a record came in through `extra=`.
_STANDARD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
_PLAIN = (str, int, float, bool, type(None))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = REQUEST_ID.get()
        if request_id is not None:
            entry["request_id"] = request_id
        # Plain values only: an object's repr (say Django's request, with its query string)
        # could carry what the logs must not hold.
        entry.update(
            (key, value)
            for key, value in record.__dict__.items()
            if key not in _STANDARD_ATTRIBUTES and isinstance(value, _PLAIN)
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        try:
            return orjson.dumps(entry).decode()
        except orjson.JSONEncodeError:  # an int beyond 64 bits, which only json can write
            return json.dumps(entry, ensure_ascii=False)


class LogLines:
    """A text stream whose every line becomes one log record: a command's report (migrate's at
    start-up) among the JSON lines instead of between them."""

    def __init__(self, log: Callable[[str], None]) -> None:
        self._log = log
        self._pending = ""

    def write(self, text: str) -> None:
        *lines, self._pending = (self._pending + text).split("\n")
        for line in lines:
            self._emit(line)

    def flush(self) -> None:
        """Lines are logged whole; a partial one waits for its end (migrate's "... OK")."""

    def close(self) -> None:
        self._emit(self._pending)
        self._pending = ""

    def _emit(self, line: str) -> None:
        if line.strip():
            self._log(line.strip())
