"""`make bench-console`: the server time of every console page on a real book, 100,000 customers
and 1,000,000 loans (the ingestion benchmark's data), on PostgreSQL. Writes the "Console pages"
section of docs/benchmarks.md (between its markers). Target: every page under 300 ms.

The database is the one `python -m bench.ingest --load-only` leaves (BENCH_DB, default
credit_bench_console; loaded first when it has no loans). On top of the history, once, the
activity a console shows, all through the services: a month of eligibility checks
(BENCH_DECISIONS, default 20,000), booked loans, some paid, some late; a draft policy and a
simulation of it over that month.

Each page is requested through the production WSGI application in this process (no HTTP, no
network), signed in as an admin, BENCH_REPEATS times (default 15) after a warm-up; the time is
the wall time from the request entering Django to the response leaving it, database included.
"""

import os
import platform
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = os.environ.get("BENCH_DB", "credit_bench_console")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DECISIONS = int(os.environ.get("BENCH_DECISIONS", "20000"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "15"))
TARGET_MS = 300
START, END = "<!-- bench:console:start -->", "<!-- bench:console:end -->"

os.environ.update(
    DJANGO_SETTINGS_MODULE="config.settings.production",
    SECRET_KEY="bench-console-" + "Lm3Nv7Rt2Wx5Yb9Kc4Hd6Fg1Js0PaZq8" * 2,
    ALLOWED_HOSTS="testserver",
    ALLOW_ANONYMOUS="true",
    DATABASE_URL=f"{PG}/{DB_NAME}",
    LOG_LEVEL="WARNING",
    STATIC_ROOT=str(ROOT / "bench-out" / "static"),
)
os.environ.pop("REDIS_URL", None)  # background work (the simulation) in this process
os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)


def load_if_empty() -> None:
    import psycopg

    try:
        with psycopg.connect(f"{PG}/{DB_NAME}") as connection:
            loans = connection.execute("SELECT count(*) FROM loans_loan").fetchone()
    except psycopg.Error:
        loans = None
    if not loans or not loans[0]:
        env = {**os.environ, "BENCH_DB": DB_NAME}
        subprocess.run(
            [sys.executable, "-m", "bench.ingest", "--load-only"], cwd=ROOT, env=env, check=True
        )


def seed() -> dict[str, int]:
    """The activity, once; returns the ids the pages are measured with."""
    from django.contrib.auth.models import User

    from core import clock
    from core.auth import Role
    from credit.policy import LoanRequest
    from customers.models import Customer
    from decisions.models import CreditDecision, PolicySimulation
    from decisions.services import check_eligibility, create_loan
    from decisions.simulations import get_simulation, start_simulation
    from loans.models import Loan
    from loans.services import record_payment
    from people.services import grant
    from policies.models import PolicyVersion
    from policies.services import create_draft

    admin, _ = User.objects.get_or_create(username="bench-admin")
    grant(admin, Role.ADMIN)
    today = clock.today()
    if not CreditDecision.objects.exists():
        rng = random.Random(0)  # noqa: S311  benchmark data, not secrets
        ids = list(Customer.objects.values_list("id", flat=True))
        started = time.perf_counter()
        for n in range(DECISIONS):
            day = today - timedelta(days=n % 30)
            ask = LoanRequest(Decimal(rng.randrange(1, 60) * 25_000), Decimal(12), 24)
            customer = rng.choice(ids)
            if n % 20 == 0:
                booked = create_loan(customer, ask, as_of=day, requested_by="bench")
                if booked.loan_id and n % 40 == 0:
                    record_payment(
                        booked.loan_id, Decimal(1000), day, as_of=today, recorded_by="bench"
                    )
            else:
                check_eligibility(customer, ask, as_of=day, requested_by="bench")
        print(f"Recorded {DECISIONS:,} decisions in {time.perf_counter() - started:.0f} s")
    if not PolicySimulation.objects.exists():
        draft = create_draft(changes={"minimum_score": 45}, based_on=None, created_by="bench")
        simulation = start_simulation(
            policy_version=draft.version,
            date_from=today - timedelta(days=29),
            date_to=today,
            requested_by="bench",
        )  # runs in a thread of this process (no REDIS_URL)
        while not get_simulation(simulation.pk).finished:
            time.sleep(0.5)
    paid = Loan.objects.filter(origin="booked", payments__isnull=False).earliest("id")
    imported = Loan.objects.filter(origin="imported").earliest("id")
    busiest = CreditDecision.objects.values_list("customer_id", flat=True).latest("id")
    return {
        "customer": imported.customer_id,
        "busy_customer": busiest,
        "imported_loan": imported.pk,
        "booked_loan": paid.pk,
        "decision": CreditDecision.objects.order_by("-id").values_list("id", flat=True)[0],
        "job": 1,
        "draft": PolicyVersion.objects.order_by("-id").values_list("id", flat=True)[0],
        "simulation": PolicySimulation.objects.order_by("-id").values_list("id", flat=True)[0],
        "phone": Customer.objects.order_by("id").values_list("phone_number", flat=True)[500],
    }


PAGES = [
    ("Dashboard", "/console/"),
    ("Customers", "/console/customers/"),
    ("Customers: search by name", "/console/customers/?q=Priya+Sharma"),
    ("Customers: search by phone", "/console/customers/?q={phone}"),
    ("Customers: page 2,000", "/console/customers/?page=2000"),
    ("A customer (10 loans)", "/console/customers/{customer}/"),
    ("A customer with decisions", "/console/customers/{busy_customer}/"),
    ("New application", "/console/customers/{customer}/apply/?decision={decision}"),
    ("A loan (imported)", "/console/loans/{imported_loan}/"),
    ("A loan (booked, paid)", "/console/loans/{booked_loan}/"),
    ("Payoff quote", "/console/loans/{booked_loan}/payoff/?on=2030-01-01"),
    ("Decisions", "/console/decisions/"),
    ("Decisions: refused, one week", "/console/decisions/?outcome=refused&since={week_ago}"),
    ("Decisions: one customer", "/console/decisions/?customer={busy_customer}"),
    ("A decision, with its replay", "/console/decisions/{decision}/"),
    ("Ingestion", "/console/ingestion/"),
    ("Ingestion job (1,100,000 rows, 4,000 warnings)", "/console/ingestion/{job}/"),
    ("Ingestion job: progress", "/console/ingestion/{job}/live/"),
    ("Policies", "/console/policies/"),
    ("Policies: compare", "/console/policies/compare/?left=1&right={draft}"),
    ("Policy draft form", "/console/policies/draft/"),
    ("Simulations", "/console/simulations/"),
    ("A simulation's report", "/console/simulations/{simulation}/"),
]


def measure(ids: dict[str, int]) -> list[tuple[str, list[float]]]:
    from django.contrib.auth.models import User
    from django.test import Client

    from core import clock

    client = Client()
    client.force_login(User.objects.get(username="bench-admin"))
    values = {**ids, "week_ago": (clock.today() - timedelta(days=6)).isoformat()}
    results = []
    for name, template in PAGES:
        path = template.format(**values)
        for _ in range(3):  # warm-up: imports, connections, prepared statements, caches
            assert client.get(path).status_code == 200, path
        times = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            answer = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, path
        results.append((name, times))
        print(f"{name:<48} median {statistics.median(times):6.1f} ms  max {max(times):6.1f} ms")
    return results


def report(results: list[tuple[str, list[float]]]) -> None:
    from django.db import connection

    from bench.docs import write_docs

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
        counts = {}
        for table in ("customers_customer", "loans_loan", "loans_creditdecision"):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed names)
            counts[table] = cursor.fetchone()[0]
    worst = max(max(times) for _, times in results)
    lines = [
        f"`make bench-console` on {datetime.now(UTC):%Y-%m-%d}, commit `{commit}`; "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, PostgreSQL {server} on the "
        "same machine; production settings, the WSGI application called in one process, signed "
        f"in as an admin; {REPEATS} requests a page after 3 of warm-up.",
        "",
        f"Data: {counts['customers_customer']:,} customers, {counts['loans_loan']:,} loans, "
        f"{counts['loans_creditdecision']:,} decisions over the last 30 days.",
        "",
        f"**Slowest request of any page: {worst:.0f} ms** (target: every page under "
        f"{TARGET_MS} ms).",
        "",
        "| page | median ms | p90 ms | max ms |",
        "|---|---:|---:|---:|",
    ]
    for name, times in results:
        ordered = sorted(times)
        p90 = ordered[int(len(ordered) * 0.9) - 1]
        lines.append(f"| {name} | {statistics.median(times):.1f} | {p90:.1f} | {max(times):.1f} |")
    write_docs("\n".join(lines) + "\n", START, END, "## Console pages")


def main() -> None:
    load_if_empty()
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    results = measure(seed())
    report(results)


if __name__ == "__main__":
    main()
