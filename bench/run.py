"""`make bench`: the HTTP benchmark. The production server (`make serve`, 2 workers) on PostgreSQL
with a realistic data set, against the floor app on the same gunicorn config and worker count
(bench/floor_urls.py: the empty view, and each hot endpoint's work's floor, its own SQL in a bare
view), driven by bench/loadgen.py from separate processes. With BENCH_SERVERS, the
same application on other servers too, each endpoint on each server in turn, in one sitting.

Prints a table and writes the "HTTP" section of docs/benchmarks.md (between its markers). A
benchmark, not a test: it needs PostgreSQL and Redis and takes about two minutes.

Environment (all optional): BENCH_PG (server URL without a database, default
postgres://postgres@127.0.0.1:5432; the database is always credit_bench, dropped and re-created),
BENCH_REDIS (default redis://127.0.0.1:6379/15), BENCH_DATA (folder with customer_data.xlsx and
loan_data.xlsx, default ../shared/data; without it 10,000 generated customers x 5 loans),
BENCH_SECONDS (10), BENCH_WARMUP (2), BENCH_CONNECTIONS (16), BENCH_LOADGEN_PROCESSES (2),
BENCH_WORKERS (2), BENCH_ROUNDS (3: interleaved rounds of each hot endpoint and its work's
floor, medians), BENCH_ENDPOINTS (comma-separated subset), BENCH_SERVERS (comma-separated,
default gunicorn: `make serve`; granian: the dev requirement, see `granian()`), BENCH_PROFILE (an
endpoint: record py-spy flame graphs of the first server's workers while it runs, when py-spy is
installed; `--gil`, so they show Python's CPU, not threads blocked on sockets), BENCH_DOCS (0 to
leave docs/benchmarks.md alone).
"""

import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from bench import loadgen
from bench.docs import write_docs
from bench.loadgen import Result, Scenario
from config import gunicorn as gunicorn_config
from tests.processes import free_port, recreate_database, start, stop

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OUT = ROOT / "bench-out" / "http"
DB_NAME = "credit_bench"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/15")
DATA = Path(os.environ.get("BENCH_DATA", ROOT.parent / "shared" / "data"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
LOADGEN_PROCESSES = int(os.environ.get("BENCH_LOADGEN_PROCESSES", "2"))
WORKERS = os.environ.get("BENCH_WORKERS", "2")
PROFILE = os.environ.get("BENCH_PROFILE", "")
WRITE_DOCS = os.environ.get("BENCH_DOCS", "1") != "0"
# The production server's rows keep the endpoint's name; another server's say which it is.
SERVERS = [name for name in os.environ.get("BENCH_SERVERS", "gunicorn").split(",") if name]
# Read-only endpoints first, then the ones that add rows; the floor before and after.
ENDPOINTS = ["check-eligibility", "view-loan", "view-loans", "register", "create-loan"]
EXPECTED = {"register": frozenset({201}), "create-loan": frozenset({200, 201})}
# The endpoints whose work's floor the floor app serves (bench/floor_urls.py): each is measured
# in BENCH_ROUNDS interleaved rounds against it, and its target is a share of that floor.
TARGETS = {"check-eligibility": 0.85, "create-loan": 0.85, "view-loan": 0.90, "view-loans": 0.90}
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
P99_TARGET_MS = 50.0
START, END = "<!-- bench:http:start -->", "<!-- bench:http:end -->"


def wait_for(url: str, headers: dict[str, str], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            request = urllib.request.Request(url, headers=headers)  # noqa: S310 (local URL)
            with urllib.request.urlopen(request, timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"{url} did not answer 200 within {seconds:.0f} s")
        time.sleep(0.2)


def children(pid: int) -> list[int]:
    found: list[int] = []
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            kids = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        found.extend(int(kid) for kid in kids)
        pending.extend(int(kid) for kid in kids)
    return found


def workers(pid: int, server: str) -> list[int]:
    """The worker processes: `server` processes (gunicorn, granian) whose parent is one too."""
    name = server.encode()
    pids = []
    for child in children(pid):
        try:
            parent = int(Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[1])
            parent_cmd = Path(f"/proc/{parent}/cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if name in parent_cmd and name in Path(f"/proc/{child}/cmdline").read_bytes():
            pids.append(child)
    return pids


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU time of each of these processes (all their threads) so far."""
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return used


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two samples by the processes alive at the second; one that
    started in between counts from zero, one that ended is lost (its time cannot be read)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def postgres_pids() -> list[int]:
    """Every process of the PostgreSQL server: backends, WAL writer, checkpointer."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().startswith("postgres"):
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


@dataclass(frozen=True)
class CpuPerRequest:
    """CPU µs per answered request during the measured seconds (not the warm-up)."""

    server_us: float
    postgres_us: float


def sample_cpu(server_pid: int, server: str, box: list[dict[int, float]]) -> threading.Thread:
    """Sample the server's and PostgreSQL's CPU at the end of the warm-up and of the run."""

    def sample() -> None:
        for pause in (WARMUP, SECONDS):
            time.sleep(pause)
            box.extend([cpu_seconds(workers(server_pid, server)), cpu_seconds(postgres_pids())])

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    return thread


def prepare_database(env: dict[str, str]) -> str:
    recreate_database(DB_NAME, admin_url=f"{PG}/postgres")
    manage = [str(BIN / "python"), "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    customers, loans = DATA / "customer_data.xlsx", DATA / "loan_data.xlsx"
    if customers.exists() and loans.exists():
        command = ["ingest_data", "--customers", str(customers), "--loans", str(loans)]
        described = f"the original files ({DATA})"
    else:
        command = ["generate_sample_data", "--customers", "10000"]
        command += ["--loans-per-customer", "5", "--seed", "1"]
        described = "generated data (generate_sample_data --customers 10000 --loans-per-customer 5)"
    subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return described


def ids(query: str) -> list[int]:
    with psycopg.connect(f"{PG}/{DB_NAME}") as connection:
        return [row[0] for row in connection.execute(query)]


def counts() -> tuple[int, int]:
    with psycopg.connect(f"{PG}/{DB_NAME}") as connection:
        customers = connection.execute("SELECT count(*) FROM customers_customer").fetchone()
        loans = connection.execute("SELECT count(*) FROM loans_loan").fetchone()
    return (customers[0] if customers else 0), (loans[0] if loans else 0)


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, nproc {loadgen.cpu_count()}, {memory_gb:.0f} GB RAM, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def commit() -> str:
    described = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
    )
    return described.stdout.strip() or "unknown"


def bar(share: float, width: int = 40) -> str:
    filled = max(0, min(width, round(share * width)))
    return "█" * filled + "·" * (width - filled)


def work_floor(name: str) -> str:
    """The row name of an endpoint's work's floor."""
    return f"floor: {name}"


def of_work_floor(result: Result, by_name: dict[str, Result]) -> str:
    """The endpoint's req/s as a share of its work's floor's, when it has one."""
    floor = by_name.get(work_floor(result.scenario))
    return f"**{result.rps / floor.rps:.1%}**" if floor else ""


def table(results: list[Result], cpu: list[CpuPerRequest], floor_rps: float) -> list[str]:
    by_name = {result.scenario: result for result in results}
    lines = [
        "| endpoint | req/s | p50 ms | p95 ms | p99 ms | errors | ÷ its work's floor "
        "| % of empty floor | server CPU µs/req | PostgreSQL CPU µs/req | responses |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for result, used in zip(results, cpu, strict=True):
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(result.statuses.items()))
        outcomes = ", ".join(f"{name} {n}" for name, n in sorted(result.outcomes.items()))
        responses = statuses + (f" ({outcomes})" if outcomes else "")
        lines.append(
            f"| {result.scenario} | {result.rps:,.0f} | {result.p50_ms:.1f} | "
            f"{result.p95_ms:.1f} | {result.p99_ms:.1f} | {result.errors} | "
            f"{of_work_floor(result, by_name)} | "
            f"{100 * result.rps / floor_rps:.1f}% | {used.server_us:,.0f} | "
            f"{used.postgres_us:,.0f} | {responses} |"
        )
    return lines


def verdicts(results: list[Result]) -> list[str]:
    """The targets of `make serve`: its rows and the floor's, not another server's."""
    results = [r for r in results if r.scenario in ENDPOINTS or r.scenario.startswith("floor")]
    lines = []
    by_name = {result.scenario: result for result in results}
    for name, share in TARGETS.items():
        if name in by_name and work_floor(name) in by_name:
            got = by_name[name].rps / by_name[work_floor(name)].rps
            mark = "met" if got >= share else f"MISSED by {share - got:.1%}"
            lines.append(f"- {name} at ≥ {share:.0%} of its work's floor: {got:.1%}, {mark}")
    app = [r for r in results if not r.scenario.startswith("floor")]
    worst = max(app, key=lambda r: r.p99_ms, default=None)
    if worst:
        mark = "met" if worst.p99_ms < P99_TARGET_MS else "MISSED"
        lines.append(
            f"- p99 under {P99_TARGET_MS:.0f} ms at {CONNECTIONS} connections: worst "
            f"{worst.p99_ms:.1f} ms ({worst.scenario}), {mark}"
        )
    errors = sum(r.errors for r in results)
    lines.append(f"- zero errors: {errors} errors, {'met' if errors == 0 else 'MISSED'}")
    return lines


def versus(results: list[Result], cpu: list[CpuPerRequest], server: str) -> list[str]:
    """`server` against gunicorn endpoint by endpoint, and the question that decides: is it
    faster on every one?"""
    rows = {r.scenario: (r, used) for r, used in zip(results, cpu, strict=True)}
    lines = []
    faster = True
    for name in ENDPOINTS:
        if name in rows and f"{name} ({server})" in rows:
            (base, base_cpu), (other, other_cpu) = rows[name], rows[f"{name} ({server})"]
            faster = faster and other.rps > base.rps
            lines.append(
                f"- {name}: {other.rps / base.rps - 1:+.1%} req/s, p99 {base.p99_ms:.1f} → "
                f"{other.p99_ms:.1f} ms, server CPU {base_cpu.server_us:,.0f} → "
                f"{other_cpu.server_us:,.0f} µs/req"
            )
    return [*lines, f"- faster on every endpoint: {'yes' if faster else 'no'}"]


def load_average() -> str:
    return ", ".join(f"{figure:.2f}" for figure in os.getloadavg())


LOAD: list[str] = []


def main() -> None:
    LOAD.append(load_average())
    check_servers()
    OUT.mkdir(parents=True, exist_ok=True)
    api_key = secrets.token_urlsafe(32)
    ports = {server: free_port() for server in SERVERS}
    floor_port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"API_THROTTLE_RATE", "ALLOW_ANONYMOUS", "DEBUG", "HTTPS"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        API_KEYS=api_key,
        DATABASE_URL=f"{PG}/{DB_NAME}",
        REDIS_URL=REDIS,
        WEB_CONCURRENCY=WORKERS,
        HOST="127.0.0.1",
        PYTHONPATH=str(ROOT),
    )
    endpoints = [
        name
        for name in (os.environ.get("BENCH_ENDPOINTS") or ",".join(ENDPOINTS)).split(",")
        if name
    ]
    print(f"Preparing {DB_NAME} ...", flush=True)
    data = prepare_database(env)
    customers_before, loans_before = counts()

    for log in OUT.glob("*.log"):  # each run's logs alone, as before
        log.unlink()
    apps = {server: start_app(server, ports[server], env) for server in SERVERS}
    floor_env = {key: value for key, value in env.items() if key != "PROMETHEUS_MULTIPROC_DIR"}
    floor_env.update(DJANGO_SETTINGS_MODULE="bench.floor_settings", PORT=str(floor_port))
    floor = start(
        [str(BIN / "gunicorn"), "--config", "config/gunicorn.py", "bench.floor_wsgi"],
        floor_env,
        OUT / "floor.log",
        ROOT,
    )
    # Every measured run of each row, in the order first measured.
    rounds: dict[str, list[tuple[Result, CpuPerRequest]]] = {}
    try:
        headers = {"X-API-Key": api_key}
        for port in ports.values():
            wait_for(f"http://127.0.0.1:{port}/health", headers)
        wait_for(f"http://127.0.0.1:{floor_port}/floor", {})
        customer_ids = ids("SELECT id FROM customers_customer ORDER BY id")
        loan_ids = ids("SELECT id FROM loans_loan ORDER BY id")
        keep_alive = probe_keep_alive(floor_port)
        ceiling = loadgen.ceiling(
            free_port(),
            keep_alive=keep_alive,
            connections=CONNECTIONS,
            processes=LOADGEN_PROCESSES,
            seconds=min(SECONDS, 5),
        )
        print(
            f"Load generator ceiling (do-nothing server, keep-alive {keep_alive}): "
            f"{ceiling.rps:,.0f} req/s, {ceiling.loadgen_cpu_us:.0f} µs of generator CPU "
            "per request",
            flush=True,
        )
        slot = 0

        def measure(scenario: Scenario, server: str = "", profiled: bool = False) -> Result:
            """One row: the floor app without `server` (the empty view, or the scenario's work's
            floor), else the application on `server`."""
            nonlocal slot
            name = scenario.name if server in {"", "gunicorn"} else f"{scenario.name} ({server})"
            if not server and scenario.name != "floor":
                name = work_floor(scenario.name)
            print(f"  {name} ...", end=" ", flush=True)
            process = apps[server] if server else floor
            profilers = start_profile(process.pid, server, name) if profiled else []
            samples: list[dict[int, float]] = []
            sampler = sample_cpu(process.pid, server or "gunicorn", samples)
            result = loadgen.run(
                "127.0.0.1",
                ports[server] if server else floor_port,
                scenario,
                connections=CONNECTIONS,
                warmup=WARMUP,
                seconds=SECONDS,
                processes=LOADGEN_PROCESSES,
                api_key=api_key if server else "",
                first_slot=slot,
            )
            for profiler in profilers:
                profiler.wait(60)
            sampler.join()
            slot += CONNECTIONS
            if profiled:  # the profiler's own CPU would skew the figures: not in the table
                print(f"profiled, {result.rps:,.0f} req/s: {OUT}/profile-{name}-*", flush=True)
                return result
            answered = max(result.rps * SECONDS, 1) / 1e6
            rounds.setdefault(name, []).append(
                (
                    rename(result, name),
                    CpuPerRequest(
                        server_us=cpu_used(samples[0], samples[2]) / answered,
                        postgres_us=cpu_used(samples[1], samples[3]) / answered,
                    ),
                )
            )
            print(
                f"{result.rps:,.0f} req/s, p99 {result.p99_ms:.1f} ms, {result.errors} errors, "
                f"generator {result.loadgen_cpu_us:.0f} µs CPU/request",
                flush=True,
            )
            return result

        print(
            f"Running {WARMUP:g} s warm-up + {SECONDS:g} s per endpoint, {CONNECTIONS} connections",
            flush=True,
        )
        measure(Scenario("floor", frozenset({200})))
        scenarios: dict[str, Scenario] = {}
        for index, name in enumerate(endpoints):
            if name == "create-loan":  # customers registered above can borrow too
                customer_ids = ids("SELECT id FROM customers_customer ORDER BY id")
            scenarios[name] = Scenario(
                name,
                EXPECTED.get(name, frozenset({200})),
                {"customer_ids": customer_ids, "loan_ids": loan_ids},
            )
            # Each endpoint on every server and on its work's floor in turn, in ROUNDS rounds,
            # the order reversed from one round to the next, so the machine's drift favours none.
            contenders = [*SERVERS, ""] if name in TARGETS else SERVERS
            for round_ in range(ROUNDS if name in TARGETS else 1):
                for server in contenders if (index + round_) % 2 == 0 else contenders[::-1]:
                    measure(scenarios[name], server)
        measure(Scenario("floor", frozenset({200})))
        if PROFILE in scenarios:
            measure(scenarios[PROFILE], SERVERS[0], profiled=True)
    finally:
        for process in apps.values():
            stop(process)
        stop(floor)
    (first, first_cpu), (last, last_cpu) = rounds.pop("floor")
    floor_rps = (first.rps + last.rps) / 2
    rows = [(rename(first, "floor (first)"), first_cpu), *medians(rounds)]
    rows.append((rename(last, "floor (last)"), last_cpu))
    results, cpu = [row[0] for row in rows], [row[1] for row in rows]
    report(results, cpu, floor_rps, ceiling, keep_alive, data, (customers_before, loans_before))


def check_servers() -> None:
    """Before the database is prepared and any server started: a server this run cannot start."""
    for server in SERVERS:
        if server not in {"gunicorn", "granian"}:
            raise SystemExit(f"BENCH_SERVERS: unknown server {server!r} (gunicorn, granian)")
        if not (BIN / server).exists():
            raise SystemExit(
                f"no {BIN / server}: granian is a dev requirement, make .venv/.installed-dev"
            )


def start_app(server: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """`make serve` (gunicorn) or granian, serving the application on `port`."""
    if server == "gunicorn":
        command = ["make", "--no-print-directory", "serve", f"PORT={port}"]
        return start(command, env, OUT / "serve.log", ROOT)
    return granian(port, env)


def granian(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """granian serving config.wsgi as `make serve` does with gunicorn: the same worker count;
    gthread's threads per worker as blocking threads, the Python threads that run the WSGI
    application (one Rust runtime thread per worker does the sockets, as gthread's main thread
    does); HTTP/1 only and no websockets, as gunicorn; gunicorn's graceful timeout before a
    worker is killed at shutdown; its own lines in gunicorn's JSON log format; a metrics folder
    of its own, emptied first as gunicorn's on_starting empties make serve's."""
    metrics = OUT / "metrics-granian"
    shutil.rmtree(metrics, ignore_errors=True)
    metrics.mkdir()
    logs = gunicorn_config.logconfig_dict
    log_config = OUT / "granian-logging.json"
    log_config.write_text(
        json.dumps({**logs, "loggers": {"_granian": logs["loggers"]["gunicorn.error"]}})
    )
    command = [str(BIN / "granian"), "--interface", "wsgi", "--http", "1", "--no-ws"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", WORKERS]
    command += ["--blocking-threads", str(gunicorn_config.threads)]
    command += ["--workers-kill-timeout", str(gunicorn_config.graceful_timeout)]
    command += ["--log-config", str(log_config), "config.wsgi:application"]
    granian_env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
    return start(command, granian_env, OUT / "serve-granian.log", ROOT)


def medians(
    rounds: dict[str, list[tuple[Result, CpuPerRequest]]],
) -> list[tuple[Result, CpuPerRequest]]:
    """Each row's round of median req/s (with its latencies and CPU), its errors those of all
    its rounds; an endpoint's work's floor just before it."""
    rows = []
    for name in rounds:
        if name.startswith(work_floor("")):
            continue
        for each in (work_floor(name), name):
            if each in rounds:
                ordered = sorted(rounds[each], key=lambda run: run[0].rps)
                median, used = ordered[len(ordered) // 2]
                errors = sum(run[0].errors for run in ordered)
                rows.append((Result(**{**median.__dict__, "errors": errors}), used))
    return rows


def rename(result: Result, name: str) -> Result:
    return Result(**{**result.__dict__, "scenario": name})


def probe_keep_alive(port: int) -> bool:
    """Whether the server keeps connections open (gthread) or closes each one (sync)."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"GET /floor HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        head = sock.recv(4096).split(b"\r\n\r\n")[0].lower()
    return b"connection: close" not in head


def start_profile(server_pid: int, server: str, name: str) -> list[subprocess.Popen[bytes]]:
    py_spy = shutil.which("py-spy", path=str(BIN)) or shutil.which("py-spy")
    if not py_spy:
        print("(py-spy not installed: no profile)", end=" ", flush=True)
        return []
    duration = str(int(WARMUP + SECONDS))
    quiet = subprocess.DEVNULL
    commands = [
        [py_spy, "record", "--pid", str(pid), "--duration", duration, "--rate", "250",
         "--format", fmt, "--output", str(OUT / f"profile-{name}-{pid}.{ext}"),
         "--nonblocking", "--gil"]
        for pid in workers(server_pid, server)
        for fmt, ext in (("flamegraph", "svg"), ("raw", "txt"))
    ]  # fmt: skip
    return [subprocess.Popen(command, stdout=quiet, stderr=quiet) for command in commands]


def report(
    results: list[Result],
    cpu: list[CpuPerRequest],
    floor_rps: float,
    ceiling: Result,
    keep_alive: bool,
    data: str,
    sizes: tuple[int, int],
) -> None:
    width = max(len(r.scenario) for r in results)
    chart = [
        f"{r.scenario:<{width}} {bar(r.rps / floor_rps)} {100 * r.rps / floor_rps:5.1f}%"
        for r in results
    ]
    generator_cpu = max(r.loadgen_cpu_us for r in results)
    servers = {
        "gunicorn": f"gunicorn {WORKERS} workers, config/gunicorn.py",
        "granian": f"granian {WORKERS} workers × {gunicorn_config.threads} blocking threads, "
        "bench/run.py `granian()`",
    }
    # The command as typed: the settings given in the environment, then make bench.
    given = ("BENCH_SECONDS", "BENCH_WARMUP", "BENCH_ROUNDS", "BENCH_ENDPOINTS", "BENCH_SERVERS")
    settings = [f"{name}={os.environ[name]}" for name in given if os.environ.get(name)]
    if os.environ.get("GUNICORN_CMD_ARGS"):
        settings.append(f"GUNICORN_CMD_ARGS='{os.environ['GUNICORN_CMD_ARGS']}'")
    command = " ".join([*settings, "make bench"])
    compared = []
    for server in (s for s in SERVERS if s != "gunicorn" and "gunicorn" in SERVERS):
        compared += [f"{server} against gunicorn:", "", *versus(results, cpu, server), ""]
    lines = [
        f"Run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit `{commit()}`.",
        "",
        f"- Machine: {machine()}; PostgreSQL and Redis on the same machine, shared with "
        "other work.",
        f"- Command: `{command}` ({WARMUP:g} s warm-up + {SECONDS:g} s per endpoint, "
        f"{CONNECTIONS} connections from {LOADGEN_PROCESSES} load-generator processes, "
        f"{'; '.join(servers[server] for server in SERVERS)}; keep-alive: {keep_alive}).",
        f"- Data: {data}: {sizes[0]:,} customers, {sizes[1]:,} loans before the run.",
        f"- Empty floor: a bare Django JSON view (bench/floor_urls.py), {floor_rps:,.0f} req/s "
        "(mean of the runs before and after the endpoints).",
        "- Work's floor (`floor: …` rows): a bare Django view per endpoint running the "
        "endpoint's own SQL statements (bench/floor_statements.py, held equal by "
        "tests/test_bench_floor.py) on the same server; each endpoint and its floor measured in "
        f"{ROUNDS} interleaved rounds, the median round shown, errors summed over all rounds.",
        f"- Load average (1, 5, 15 min): {LOAD[0]} before the run, {load_average()} after it.",
        f"- Load generator ceiling against a do-nothing server: {ceiling.rps:,.0f} req/s; its CPU "
        f"cost is at most {generator_cpu:.0f} µs per request in this run.",
        "- CPU µs/req: the server's worker processes' and the whole PostgreSQL server's CPU "
        "time during the measured seconds, per answered request (/proc; the machine has "
        f"{loadgen.cpu_count()} cores).",
        "",
        *table(results, cpu, floor_rps),
        "",
        "```text",
        *chart,
        "```",
        "",
        "Targets:",
        "",
        *verdicts(results),
        "",
        *compared,
    ]
    text = "\n".join(lines)
    print()
    print(text)
    stamp = f"{datetime.now(UTC):%Y%m%d-%H%M%S}"
    (OUT / f"run-{stamp}.md").write_text(text)
    print(f"Saved to {OUT / f'run-{stamp}.md'}")
    if WRITE_DOCS:
        write_docs(text, START, END, "## HTTP: latest `make bench`")


if __name__ == "__main__":
    main()
