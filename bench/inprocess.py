"""CPU per request of the hot endpoints in one process, without HTTP or a server.

Calls the production WSGI application directly, N times per endpoint, on the database `make
bench` leaves behind (credit_bench; create-loan adds loans to it, so measure two commits on
copies of one database), and reports the process's CPU time per request. A loaded,
shared machine moves requests/s by ±30% from one run to the next; CPU time of the same code
moves by a few percent, so this is how docs/benchmarks.md measures what each change bought.
`--profile` prints cProfile's top functions by CPU time (not wall time, which the database
waits would dominate), by cumulative time, or by own time with BENCH_SORT=tottime.

    make bench BENCH_ENDPOINTS=view-loan BENCH_SECONDS=1   # once, to create credit_bench
    .venv/bin/python -m bench.inprocess [--requests 3000] [--profile] [endpoint ...]
"""

import argparse
import cProfile
import importlib
import io
import json
import logging
import os
import pstats
import secrets
import sys
import time
from collections.abc import Callable
from typing import Any

API_KEY = secrets.token_urlsafe(32)
os.environ.update(
    DJANGO_SETTINGS_MODULE="config.settings.production",
    SECRET_KEY=secrets.token_urlsafe(64),
    ALLOWED_HOSTS="127.0.0.1",
    API_KEYS=API_KEY,
    DATABASE_URL=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/credit_bench"
    ),
)
os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)

from django.db import connection  # noqa: E402

Request = tuple[str, str, dict[str, Any] | None]
ENDPOINTS = ("view-loan", "view-loans", "check-eligibility", "create-loan")


def ids(table: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} ORDER BY id")  # noqa: S608 (two fixed names)
        return [row[0] for row in cursor.fetchall()]


def requests_for(endpoint: str) -> Callable[[int], Request]:
    customers, loans = ids("customers_customer"), ids("loans_loan")
    application = {"loan_amount": 100000, "interest_rate": 12, "tenure": 12}
    return {
        "view-loan": lambda i: ("GET", f"/view-loan/{loans[i % len(loans)]}", None),
        "view-loans": lambda i: ("GET", f"/view-loans/{customers[i % len(customers)]}", None),
        "check-eligibility": lambda i: (
            "POST",
            "/check-eligibility",
            {**application, "customer_id": customers[i % len(customers)]},
        ),
        # Books until each customer's limit or salary refuses: both paths, in the same mix for
        # the same data, so two commits measured on copies of one database compare.
        "create-loan": lambda i: (
            "POST",
            "/create-loan",
            {**application, "customer_id": customers[i % len(customers)]},
        ),
    }[endpoint]


def wsgi_caller() -> Callable[[Request], str]:
    """A function that serves one request through the production WSGI application, as gunicorn
    loads it, and returns its status line; the request log's output goes to /dev/null."""
    # What gunicorn serves, as it loads it (config/wsgi.py: the URLconf loaded, gc.freeze).
    application = importlib.import_module("config.wsgi").application
    # The request log would write to this terminal: its cost stays, its output goes.
    devnull = open(os.devnull, "w")  # noqa: SIM115 (for the life of the process)
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(devnull)

    def call(request: Request) -> str:
        method, path, body = request
        data = json.dumps(body).encode() if body is not None else b""
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_X_API_KEY": API_KEY,
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(data)),
            "wsgi.input": io.BytesIO(data),
            "wsgi.url_scheme": "http",
            "wsgi.errors": devnull,
        }
        status: list[str] = []

        def start_response(line: str, headers: Any, exc_info: Any = None) -> Any:
            status.append(line)

        b"".join(application(environ, start_response))
        return status[0]

    return call


def warmed_up(call: Callable[[Request], str], endpoint: str) -> Callable[[int], Request]:
    """The endpoint's request maker, after 300 requests that load its imports, open the
    connection and prepare its statements (each answered 2xx, or the measurement is wrong)."""
    make = requests_for(endpoint)
    for i in range(300):
        assert call(make(i)).startswith("2"), endpoint
    return make


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("endpoints", nargs="*", default=list(ENDPOINTS))
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--profile", action="store_true")
    options = parser.parse_args()
    call = wsgi_caller()
    for endpoint in options.endpoints:
        make = warmed_up(call, endpoint)
        profiler = cProfile.Profile(time.process_time) if options.profile else None
        started = time.process_time()
        if profiler:
            profiler.enable()
        for i in range(options.requests):
            call(make(i))
        if profiler:
            profiler.disable()
        cpu_us = 1e6 * (time.process_time() - started) / options.requests
        print(f"{endpoint}: {cpu_us:,.0f} µs of CPU per request", flush=True)
        if profiler:
            order = os.environ.get("BENCH_SORT", "cumulative")
            pstats.Stats(profiler, stream=sys.stdout).sort_stats(order).print_stats(45)


if __name__ == "__main__":
    main()
