"""What each middleware layer, and the request log line, costs the hot endpoints in CPU, measured
in one process on the database bench/inprocess.py uses (BENCH_DATABASE_URL, credit_bench).

cProfile's figures for the layers are shares of a profiled run, in which every Python call costs
several times its real price; a layer's real price is what the request saves without it. So
blocks of requests alternate (the order reversed each round) between the full application and
the application rebuilt without one middleware, or with the request log line switched off, and
the medians of the blocks' CPU per request are compared. Without a layer a request does less
than production does (no headers, no log line): the figures say what a layer costs, not what
could go. docs/benchmarks.md, "What each layer costs".

    .venv/bin/python -m bench.layers [--rounds 8] [--block 200] [endpoint ...]
"""

import argparse
import logging
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from bench.inprocess import ENDPOINTS, warmed_up, wsgi_caller

FULL = "(the full stack)"
LOG_LINE = "the request log line"
WARM_UP = 20


@contextmanager
def without(variant: str) -> Iterator[None]:
    """The application rebuilt without `variant` (a middleware's class name, or the log line),
    or with every layer (FULL): each variant is rebuilt alike, as a rebuilt stack's objects
    are not among those config/wsgi.py froze, and the garbage collector walks them."""
    from django.conf import settings
    from django.test.utils import override_settings

    from config.wsgi import application

    kept = [path for path in settings.MIDDLEWARE if path.rsplit(".", 1)[1] != variant]
    request_log = logging.getLogger("core.request")
    request_log.disabled = variant == LOG_LINE
    try:
        with override_settings(MIDDLEWARE=kept):
            application.load_middleware()
            yield
    finally:
        request_log.disabled = False
        application.load_middleware()


def measure(
    call: Callable[..., str], endpoint: str, variants: list[str], rounds: int, block: int
) -> dict[str, float]:
    make = warmed_up(call, endpoint)
    blocks: dict[str, list[float]] = {variant: [] for variant in variants}
    served = 0
    for round_ in range(rounds):
        for variant in variants if round_ % 2 == 0 else variants[::-1]:
            with without(variant):
                for _ in range(WARM_UP):  # a rebuilt layer's first requests fill its caches
                    call(make(served))
                    served += 1
                started = time.process_time()
                for _ in range(block):
                    call(make(served))
                    served += 1
                blocks[variant].append(1e6 * (time.process_time() - started) / block)
    return {variant: statistics.median(found) for variant, found in blocks.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("endpoints", nargs="*", default=list(ENDPOINTS))
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--block", type=int, default=200)
    options = parser.parse_args()
    call = wsgi_caller()
    from django.conf import settings

    variants = [FULL, LOG_LINE, *(path.rsplit(".", 1)[1] for path in settings.MIDDLEWARE)]
    for endpoint in options.endpoints:
        medians = measure(call, endpoint, variants, options.rounds, options.block)
        full = medians[FULL]
        print(f"{endpoint}: {full:,.0f} µs of CPU per request with every layer", flush=True)
        for variant in variants[1:]:
            saved = full - medians[variant]
            print(f"  without {variant:32} {saved:>6,.0f} µs  {saved / full:>6.1%}", flush=True)


if __name__ == "__main__":
    main()
