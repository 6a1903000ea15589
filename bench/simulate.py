"""`make bench-simulate`: a candidate policy version simulated over 1,000,000 recorded decisions
by one Celery worker, then by two, on PostgreSQL and Redis. Prints the time from the start to
the report and the workers' peak memory for each, and writes the "Policy simulation" block of
docs/benchmarks.md.

The decisions are generated (the same seed, the same decisions), decided under version 1 as
the service would have, and COPY'd into a database of their own; beyond the first million, the
million is repeated by one INSERT … SELECT over generate_series (the same cases again, later
ids). That setup is not timed. Each worker count simulates the same decisions afresh.

Environment: BENCH_PG (default postgres://postgres@127.0.0.1:5432), BENCH_DB (default
credit_bench_simulate), BENCH_REDIS (default redis://127.0.0.1:6379/13), BENCH_DECISIONS
(default 1000000), BENCH_WORKERS (worker counts to run, default "1,2"), BENCH_DOCS (0: leave
the docs).
"""

import io
import json
import os
import platform
import random
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.docs import write_docs
from bench.ingest import RssWatch
from tests.processes import recreate_database

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DB_NAME = os.environ.get("BENCH_DB", "credit_bench_simulate")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13")
DECISIONS = int(os.environ.get("BENCH_DECISIONS", "1000000"))
WORKERS = [int(count) for count in os.environ.get("BENCH_WORKERS", "1,2").split(",")]
# Decisions generated and decided in Python; more are copies of these, made in SQL.
GENERATED = min(DECISIONS, 1_000_000)
CUSTOMERS = 10_000
FIRST_DAY = date(2025, 1, 1)
# A block per size (1,000,000 and 10,000,000 are in docs/benchmarks.md).
START = f"<!-- bench:simulate:{DECISIONS}:start -->"
END = f"<!-- bench:simulate:{DECISIONS}:end -->"
ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.local",
    "DATABASE_URL": f"{PG}/{DB_NAME}",
    "REDIS_URL": REDIS,
    "LOG_LEVEL": "WARNING",
    "DATABASE_HEALTH_CHECKS": "true",
}


def main() -> None:
    recreate_database(DB_NAME, admin_url=f"{PG}/postgres")
    env = {**os.environ, **ENV}
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    load_decisions()
    runs = [simulate_with(count, env) for count in WORKERS]
    report(runs)


def simulate_with(count: int, env: dict[str, str]) -> tuple[int, Any, float, list[RssWatch], str]:
    """One simulation of the year by `count` worker processes (concurrency 1 each)."""
    workers = [
        subprocess.Popen(
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--concurrency",
                "1",
                "--loglevel",
                "WARNING",
                "-n",
                f"bench-simulate-{os.getpid()}-{n}@%h",
            ],
            cwd=ROOT,
            env=env,
        )
        for n in range(count)
    ]
    watches = [RssWatch(worker.pid) for worker in workers]
    for watch in watches:
        watch.start()
    try:
        time.sleep(5)  # the workers connect to Redis and the database
        started = time.perf_counter()
        simulation_id = start()
        simulation = wait_for(simulation_id)
        elapsed = time.perf_counter() - started
        load = _load_average()
    finally:
        for watch in watches:
            watch.running = False
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(30)
    print(f"{count} worker(s): {elapsed:.1f} s, load average {load}")
    return count, simulation, elapsed, watches, load


def _load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def load_decisions() -> None:
    """Customers and decisions COPY'd in; each decision decided under version 1 from random
    figures, so the record is what the service would have kept."""
    from django.db import connection

    from credit.policy import LoanRequest, decide
    from credit.scoring import Figures
    from policies.selectors import policy_version

    policy = policy_version(1)
    rng = random.Random(20261201)  # noqa: S311 (benchmark data)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        _copy(cursor, "customers_customer", CUSTOMER_COLUMNS, _customers(rng))
        rows = _decisions(rng, policy, decide, Figures, LoanRequest)
        _copy(cursor, "loans_creditdecision", DECISION_COLUMNS, rows)
        _repeat(cursor)
        cursor.execute("ANALYZE loans_creditdecision")
    print(f"Loaded {DECISIONS:,} decisions in {time.perf_counter() - started:.1f} s")


CUSTOMER_COLUMNS = (
    "id", "first_name", "last_name", "age", "phone_number", "monthly_salary", "approved_limit",
    "origin", "created_at", "updated_at",
)  # fmt: skip
DECISION_COLUMNS = (
    "customer_id", "kind", "loan_amount", "interest_rate", "tenure", "as_of", "approved",
    "credit_score", "score_breakdown", "rules", "reasons", "corrected_interest_rate",
    "monthly_installment", "figures", "policy_version_id", "requested_by", "created_at",
)  # fmt: skip
NOW = datetime.now(UTC).isoformat()


def _customers(rng: random.Random) -> Iterator[tuple[Any, ...]]:
    for customer_id in range(1, CUSTOMERS + 1):
        salary = rng.randrange(15, 300) * 1000
        yield (customer_id, "Bench", f"Customer{customer_id}", 35, 6_000_000_000 + customer_id,
               salary, salary * 36, "api", NOW, NOW)  # fmt: skip


def _decisions(
    rng: random.Random, policy: Any, decide: Any, figures_type: Any, request_type: Any
) -> Iterator[tuple[Any, ...]]:
    for index in range(GENERATED):
        salary = Decimal(rng.randrange(15, 300) * 1000)
        limit = salary * 36
        due = rng.randrange(0, 200)
        figures = figures_type(
            monthly_salary=salary,
            approved_limit=limit,
            installments_due=due,
            installments_paid_on_time=rng.randrange(0, due + 1),
            completed_loans=rng.randrange(0, 8),
            loans_started_this_year=rng.randrange(0, 5),
            current_loans_amount=Decimal(rng.randrange(0, int(limit * 11 // 10) + 1)),
            current_loans_installments=Decimal(rng.randrange(0, int(salary * 6 // 10) + 1)),
        )
        request = request_type(
            amount=Decimal(rng.randrange(10, 3000) * 1000),
            interest_rate=Decimal(rng.randrange(800, 2000)) / 100,
            tenure=rng.randrange(6, 121),
        )
        made = decide(figures, request, policy, with_offers=False)
        yield (
            index % CUSTOMERS + 1, "check_eligibility", request.amount, request.interest_rate,
            request.tenure, FIRST_DAY + timedelta(days=index % 365), made.approved,
            made.credit.score, json.dumps({f: str(p) for f, p in made.credit.points.items()}),
            json.dumps({str(code): passed for code, passed in made.rules.items()}),
            json.dumps([reason.as_dict() for reason in made.reasons]),
            made.corrected_interest_rate, made.monthly_installment,
            json.dumps({name: str(value) if isinstance(value, Decimal) else value
                        for name, value in vars(figures).items()}),
            "1", "bench", NOW,
        )  # fmt: skip


def _repeat(cursor: Any) -> None:
    """Decisions past the generated million: the generated ones again, as many times over as it
    takes (the last copy cut short), in one statement inside the database."""
    if DECISIONS <= GENERATED:
        return
    columns = ", ".join(DECISION_COLUMNS)
    cursor.execute(
        f"INSERT INTO loans_creditdecision ({columns}) SELECT {columns} FROM"  # noqa: S608
        " (SELECT d.*, copy FROM loans_creditdecision d,"
        " generate_series(1, %s) AS copy LIMIT %s) repeated",
        [-(-DECISIONS // GENERATED) - 1, DECISIONS - GENERATED],
    )


def _copy(cursor: Any, table: str, columns: tuple[str, ...], rows: Iterable[Any]) -> None:
    """COPY in chunks of 100,000 rows (text format: no value here holds a tab or a newline)."""
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    buffer = io.StringIO()
    for count, row in enumerate(rows, 1):
        buffer.write("\t".join(str(value).replace("\\", "\\\\") for value in row) + "\n")
        if count % 100_000 == 0:
            _send(cursor, statement, buffer)
            buffer = io.StringIO()
    _send(cursor, statement, buffer)


def _send(cursor: Any, statement: str, buffer: io.StringIO) -> None:
    with cursor.cursor.copy(statement) as copy:
        copy.write(buffer.getvalue())


def start() -> int:
    """A candidate (a stricter minimum score, a lower share of salary) simulated over the year."""
    from django.db import transaction

    from decisions.simulations import start_simulation
    from policies.services import create_draft

    with transaction.atomic():
        draft = create_draft(
            changes={"minimum_score": 20, "max_emi_share_of_salary": "0.45"},
            based_on=1,
            created_by="bench",
        )
        simulation = start_simulation(
            policy_version=draft.version,
            date_from=FIRST_DAY,
            date_to=FIRST_DAY + timedelta(days=364),
            requested_by="bench",
        )
    return simulation.pk


def wait_for(simulation_id: int) -> Any:
    from decisions.models import PolicySimulation

    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline:
        simulation = PolicySimulation.objects.get(pk=simulation_id)
        if simulation.finished:
            return simulation
        time.sleep(0.2)
    raise TimeoutError(f"simulation {simulation_id} did not finish within 30 minutes")


def report(runs: list[tuple[int, Any, float, list[RssWatch], str]]) -> None:
    from decisions.simulations import tally_of

    lines = [
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit `{_commit()}`, "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"{DECISIONS:,} decisions, SIMULATION_CHUNK={os.environ.get('SIMULATION_CHUNK', '5000')}:",
        "",
        "| workers | seconds | decisions/s | speed-up | status | peak RSS per worker (MB) "
        "| load average (1, 5, 15 min) at the end |",
        "|---:|---:|---:|---:|---|---:|---|",
    ]
    one = runs[0][2] * runs[0][0]
    for count, simulation, elapsed, watches, load in runs:
        peak = max(watch.peak_process for watch in watches)
        lines.append(
            f"| {count} | **{elapsed:.1f}** | {simulation.processed / elapsed:,.0f} "
            f"| {one / elapsed:.2f}× | {simulation.status} | {peak} | {load} |"
        )
    result = tally_of(runs[-1][1]).report()
    reports = {str(tally_of(run[1]).report()) for run in runs}
    same = "identical" if len(reports) == 1 else "NOT identical"
    lines += [
        "",
        f"The reports of the {len(runs)} runs are {same}:",
        "",
        "| | before | after |",
        "|---|---:|---:|",
        f"| approved | {result['approved_before']:,} | {result['approved_after']:,} |",
        f"| approved amount | {result['approved_amount_before']:,} "
        f"| {result['approved_amount_after']:,} |",
        f"| average corrected rate | {result['average_corrected_rate_before']} "
        f"| {result['average_corrected_rate_after']} |",
        "",
        f"Flips: {result['approved_to_refused']:,} approved → refused, "
        f"{result['refused_to_approved']:,} refused → approved.",
    ]
    section = "\n".join(lines)
    print(section)
    if os.environ.get("BENCH_DOCS", "1") != "0":
        write_docs(section, START, END, "## Policy simulation")


def _commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()


if __name__ == "__main__":
    main()
