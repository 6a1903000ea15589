"""Two checkouts' CPU per request, in one sitting: bench/inprocess.py run alternately on each
(A B, then B A, …), each run on a fresh copy of that checkout's own database, and the medians
compared. How docs/benchmarks.md's before/after tables are measured: on a shared machine one run
moves by ±10%, the median of alternating runs by a few percent.

    .venv/bin/python -m bench.ab BEFORE_DIR AFTER_DIR [--rounds 6] [--requests 3000] [--setup]

Each directory is a checkout with its own .venv. `--setup` first loads the same data into a
template database per checkout (credit_ab_0, credit_ab_1) with that checkout's own migrations and
ingestion: the original files from ../shared/data when they exist, else generated ones.
BENCH_AB_DATABASE (default credit_ab) names them instead, so two people measuring on one server
do not drop each other's databases: BENCH_AB_DATABASE=credit_ab_mw gives credit_ab_mw_0 and _1.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

from tests.processes import ADMIN_URL, recreate_database

ROOT = Path(__file__).resolve().parents[1]
ENDPOINTS = ("view-loan", "view-loans", "check-eligibility", "create-loan")
SHARED = ROOT.parent / "shared" / "data"
DATABASE = os.environ.get("BENCH_AB_DATABASE", "credit_ab")


def url(database: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + f"/{database}"


def run(checkout: Path, args: list[str], database: str) -> str:
    env = {
        **os.environ,
        "PYTHONPATH": str(checkout),
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": url(database),
        "BENCH_DATABASE_URL": url(database),
    }
    env.pop("REDIS_URL", None)
    python = str(checkout / ".venv" / "bin" / "python")
    done = subprocess.run(
        [python, *args], cwd=checkout, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def set_up(checkout: Path, template: str) -> None:
    recreate_database(template)
    run(checkout, ["manage.py", "migrate", "-v0"], template)
    if (SHARED / "customer_data.xlsx").exists():
        files = [str(SHARED / "customer_data.xlsx"), str(SHARED / "loan_data.xlsx")]
    else:
        folder = ROOT / "var" / "ab-sample"
        run(checkout, ["manage.py", "generate_sample_data", "--xlsx", str(folder)], template)
        files = [str(folder / "customer_data.xlsx"), str(folder / "loan_data.xlsx")]
    ingest = ["manage.py", "ingest_data", "--customers", files[0], "--loans", files[1]]
    run(checkout, ingest, template)


def measure(checkout: Path, template: str, requests: int) -> dict[str, int]:
    """One inprocess run on a fresh copy of `template` (create-loan adds loans to it)."""
    copy = f"{template}_run"
    recreate_database(copy, template=template)
    inprocess = str(ROOT / "bench" / "inprocess.py")
    out = run(checkout, [inprocess, "--requests", str(requests), *ENDPOINTS], copy)
    recreate_database(copy, drop_only=True)
    found = re.findall(r"^([\w-]+): ([\d,]+) µs", out, re.MULTILINE)
    return {endpoint: int(value.replace(",", "")) for endpoint, value in found}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--setup", action="store_true")
    options = parser.parse_args()
    sides = [
        (options.before.resolve(), f"{DATABASE}_0"),
        (options.after.resolve(), f"{DATABASE}_1"),
    ]
    if options.setup:
        for checkout, template in sides:
            set_up(checkout, template)
    runs: list[list[dict[str, int]]] = [[], []]
    for round_ in range(options.rounds):
        order = (0, 1) if round_ % 2 == 0 else (1, 0)
        for side in order:
            runs[side].append(measure(*sides[side], options.requests))
    print(f"{'endpoint':18} {'before µs':>10} {'after µs':>10} {'after/before':>13}")
    for endpoint in ENDPOINTS:
        before = statistics.median(run[endpoint] for run in runs[0])
        after = statistics.median(run[endpoint] for run in runs[1])
        print(f"{endpoint:18} {before:>10,.0f} {after:>10,.0f} {after / before:>13.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
