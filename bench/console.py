"""`make bench-console`: the server time of every console page on a real book, 100,000 customers
and 1,000,000 loans (the ingestion benchmark's data), on PostgreSQL. Writes the "Console pages"
section of docs/benchmarks.md (between its markers). Target: every page under 300 ms.

The database is the one `python -m bench.ingest --load-only` leaves (BENCH_DB, default
credit_bench_console; loaded first when it has no loans). On top of the history, once, the
activity a console shows, all through the services: a month of eligibility checks
(BENCH_DECISIONS, default 20,000), booked loans, some paid, some late; loans booked 35 to 215
days ago (BENCH_LATE_LOANS, default 3,000), a third with one payment, so that every late
bucket of the loans and collections worklists has loans; a draft policy and a simulation of it
over that month. Then ANALYZE, as autovacuum would after such a load.

Each page is requested through the production WSGI application in this process (no HTTP, no
network), signed in as an admin, BENCH_REPEATS times (default 15) after a warm-up; the time is
the wall time from the request entering Django to the response leaving it, database included.

Last, the loans worklist's export of every loan, as CSV and as an Excel workbook, each in a
process of its own (`python -m bench.console --export csv`): the time until the last byte, the
size, and the process's peak RSS (getrusage), which shows the rows are streamed, not held.
"""

import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = os.environ.get("BENCH_DB", "credit_bench_console")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DECISIONS = int(os.environ.get("BENCH_DECISIONS", "20000"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "15"))
LATE_LOANS = int(os.environ.get("BENCH_LATE_LOANS", "3000"))
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


def seed_late_loans() -> None:
    """Loans booked 35 to 215 days ago, once: late by up to six months, some after a payment."""
    from core import clock
    from credit.policy import LoanRequest
    from customers.models import Customer
    from decisions.services import create_loan
    from loans.models import Loan
    from loans.services import record_payment

    today = clock.today()
    if Loan.objects.filter(origin="booked", start_date__lt=today - timedelta(days=35)).exists():
        return
    rng = random.Random(1)  # noqa: S311  benchmark data, not secrets
    ids = list(Customer.objects.values_list("id", flat=True))
    started, booked = time.perf_counter(), 0
    for n in range(LATE_LOANS):
        day = today - timedelta(days=35 + n % 181)
        ask = LoanRequest(Decimal(rng.randrange(1, 20) * 25_000), Decimal(14), 24)
        made = create_loan(rng.choice(ids), ask, as_of=day, requested_by="bench")
        if made.loan_id:
            booked += 1
            if n % 3 == 0:
                record_payment(made.loan_id, Decimal(500), day + timedelta(days=20), as_of=today,
                               recorded_by="bench")  # fmt: skip
    print(f"Booked {booked:,} loans in the past in {time.perf_counter() - started:.0f} s")


def seed() -> dict[str, Any]:
    """The activity, once; returns the ids the pages are measured with."""
    from django.contrib.auth.models import User
    from django.db import connection

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
    seed_late_loans()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    paid = Loan.objects.filter(origin="booked", payments__isnull=False).earliest("id")
    imported = Loan.objects.filter(origin="imported").earliest("id")
    busiest = CreditDecision.objects.values_list("customer_id", flat=True).latest("id")
    holder = Customer.objects.order_by("id")[700]
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
        "phone_part": str(holder.phone_number)[3:8],
        "name": f"{holder.first_name}+{holder.last_name}",
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
    ("Loans", "/console/loans/"),
    ("Loans: search by name", "/console/loans/?q={name}"),
    ("Loans: search by phone fragment", "/console/loans/?q={phone_part}"),
    ("Loans: search by loan number", "/console/loans/?q={imported_loan}"),
    ("Loans: bucket SMA-1", "/console/loans/?bucket=SMA-1"),
    ("Loans: bucket current", "/console/loans/?bucket=current"),
    ("Loans: active", "/console/loans/?status=active"),
    ("Loans: most days past due first", "/console/loans/?sort=-days_past_due"),
    ("Loans: fewest days past due first", "/console/loans/?sort=days_past_due"),
    ("Collections", "/console/collections/"),
    ("Collections: SMA-0", "/console/collections/?bucket=SMA-0"),
    ("Collections: SMA-1", "/console/collections/?bucket=SMA-1"),
    ("Collections: SMA-2", "/console/collections/?bucket=SMA-2"),
    ("Collections: NPA", "/console/collections/?bucket=NPA"),
]
EXPORTS = ("csv", "xlsx")


def measure(ids: dict[str, Any]) -> list[tuple[str, list[float]]]:
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


def export_every_loan(file_format: str) -> dict[str, Any]:
    """The loans worklist's export of every loan, read to its last byte, in this process."""
    from django.contrib.auth.models import User
    from django.http import StreamingHttpResponse
    from django.test import Client

    from loans.models import Loan

    client = Client()
    client.force_login(User.objects.get(username="bench-admin"))
    assert client.get("/console/loans/").status_code == 200  # Django, loaded and warm
    before = _peak_rss_mb()
    started = time.perf_counter()
    answer = client.get(f"/console/loans/export.{file_format}")
    assert isinstance(answer, StreamingHttpResponse), answer.status_code
    size = 0
    for chunk in answer.streaming_content:
        size += len(chunk)
    return {
        "format": file_format,
        "rows": Loan.objects.count(),
        "seconds": time.perf_counter() - started,
        "megabytes": size / 2**20,
        "before_rss_mb": before,
        "peak_rss_mb": _peak_rss_mb(),
    }


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_exports() -> list[dict[str, Any]]:
    """Each export in a fresh process, so that its peak RSS is the export's own."""
    found = []
    for file_format in EXPORTS:
        run = subprocess.run(
            [sys.executable, "-m", "bench.console", "--export", file_format],
            cwd=ROOT, check=True, capture_output=True, text=True,
        )  # fmt: skip
        found.append(json.loads(run.stdout.splitlines()[-1]))
        print(found[-1])
    return found


def report(results: list[tuple[str, list[float]]], exports: list[dict[str, Any]]) -> None:
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
        f"{counts['loans_creditdecision']:,} decisions (the last 30 days' and the late loans').",
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
    lines += [
        "",
        "The loans worklist's export of every loan (`/console/loans/export.csv` and `.xlsx`), "
        "each in a fresh process: the time to the last byte, and that whole process's peak RSS "
        "(Django included) before the export, after a page of the list, and at its end:",
        "",
        "| export | rows | seconds | size MB | peak RSS MB before | peak RSS MB at the end |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for run in exports:
        lines.append(
            f"| {run['format']} | {run['rows']:,} | {run['seconds']:.1f} | "
            f"{run['megabytes']:.1f} | {run['before_rss_mb']:.0f} | {run['peak_rss_mb']:.0f} |"
        )
    write_docs("\n".join(lines) + "\n", START, END, "## Console pages")


def main() -> None:
    if sys.argv[1:2] == ["--export"]:
        import django

        django.setup()
        print(json.dumps(export_every_loan(sys.argv[2])))
        return
    load_if_empty()
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    results = measure(seed())
    report(results, measure_exports())


if __name__ == "__main__":
    main()
