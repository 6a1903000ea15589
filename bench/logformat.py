"""What one JSON log line costs: core.logging.JsonFormatter formats N records (the request
line every request writes, with its extras and the request id in context), and the best of a
few rounds is reported in µs per record. No Django, no I/O: the formatter alone.

    .venv/bin/python -m bench.logformat [--records 100000] [--rounds 5]
"""

import argparse
import logging
import time

from core.logging import REQUEST_ID, JsonFormatter


def request_line() -> logging.LogRecord:
    """The record core.middleware writes for every request."""
    return logging.getLogger("core.request").makeRecord(
        "core.request",
        logging.INFO,
        __file__,
        1,
        "%s %s %s",
        ("GET", "/view-loans/1", 200),
        None,
        extra={
            "method": "GET",
            "path": "/view-loans/1",
            "endpoint": "/view-loans/<id:customer_id>",
            "status": 200,
            "duration_ms": 5.76,
        },
    )


def microseconds_per_record(records: int, rounds: int) -> float:
    formatter = JsonFormatter()
    record = request_line()
    best = float("inf")
    token = REQUEST_ID.set("081d12eba8e2406dbecc6ca8f730a2b5")
    try:
        for _ in range(rounds):
            started = time.perf_counter()
            for _ in range(records):
                formatter.format(record)
            best = min(best, time.perf_counter() - started)
    finally:
        REQUEST_ID.reset(token)
    return best / records * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    cost = microseconds_per_record(options.records, options.rounds)
    print(f"{options.records} records, best of {options.rounds}: {cost:.2f} µs/record")


if __name__ == "__main__":
    main()
