"""`make bench-ingest`: 100,000 customers and 1,000,000 loans through POST /ingest, one Celery
worker, PostgreSQL and Redis. Prints the timings and writes the run header and table of the
"Ingestion" section of docs/benchmarks.md (between its markers; the notes around them stay).
A benchmark, not a test: it needs the servers and takes minutes.

Environment: BENCH_PG (server URL without database, default postgres://postgres@127.0.0.1:5432),
BENCH_REDIS (default redis://127.0.0.1:6379/13), BENCH_DIR (default bench-out/ingest),
BENCH_CUSTOMERS / BENCH_LOANS_PER_CUSTOMER (default 100000 / 10), BENCH_JOB_TIMEOUT (seconds
from the upload until the job must have finished, default 1800), INGEST_BATCH_ROWS.
"""

import argparse
import os
import platform
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from bench.docs import write_docs
from bench.run import load_average
from tests.processes import free_port, recreate_database, wait_for_health

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DB_NAME = os.environ.get("BENCH_DB", "credit_bench_ingest")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13")
FOLDER = Path(os.environ.get("BENCH_DIR", ROOT / "bench-out" / "ingest"))
CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "100000"))
PER_CUSTOMER = int(os.environ.get("BENCH_LOANS_PER_CUSTOMER", "10"))
JOB_TIMEOUT = float(os.environ.get("BENCH_JOB_TIMEOUT", "1800"))
START, END = "<!-- bench:ingest:start -->", "<!-- bench:ingest:end -->"


def tree_rss_mb(pid: int) -> dict[int, int]:
    """Resident memory of a process and its children, by pid."""
    found: dict[int, int] = {}
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                found[current] = int(line.split()[1]) // 1024
        pending.extend(int(child) for child in children)
    return found


class RssWatch(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_process, self.peak_total, self.running = pid, 0, 0, True

    def run(self) -> None:
        while self.running:
            sizes = tree_rss_mb(self.pid)
            if sizes:
                self.peak_process = max(self.peak_process, max(sizes.values()))
                self.peak_total = max(self.peak_total, sum(sizes.values()))
            time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load-only", action="store_true", help="write nothing to the docs")
    load_only = parser.parse_args().load_only
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "REDIS_URL": REDIS,
        "INGEST_DIR": str(FOLDER / "uploads"),
        "LOG_LEVEL": "WARNING",
    }
    # Migrated first: the generator reads the active policy version's limit multiplier.
    recreate_database(DB_NAME, admin_url=f"{PG}/postgres")
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    customers, loans = FOLDER / "customer_data.xlsx", FOLDER / "loan_data.xlsx"
    if not (customers.exists() and loans.exists()):
        print(f"Generating {CUSTOMERS} customers x {PER_CUSTOMER} loans into {FOLDER} ...")
        subprocess.run(
            [PYTHON, "manage.py", "generate_sample_data", "--customers", str(CUSTOMERS),
             "--loans-per-customer", str(PER_CUSTOMER), "--xlsx", str(FOLDER)],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
    port = free_port()
    worker = subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "config", "worker", "--concurrency", "1",
         "--loglevel", "WARNING", "-n", f"bench-{port}@%h"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    server = subprocess.Popen(
        [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    watch = RssWatch(worker.pid)
    watch.start()
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_health(base, 120)  # "ok": the database, Redis and the worker all answer
        started = time.perf_counter()
        with customers.open("rb") as c_file, loans.open("rb") as l_file:
            answer = requests.post(
                f"{base}/ingest", files={"customers": c_file, "loans": l_file}, timeout=300
            )
        answer.raise_for_status()
        uploaded = time.perf_counter() - started
        status_url = answer.json()["status_url"]
        deadline = time.monotonic() + JOB_TIMEOUT
        while True:
            body = requests.get(status_url, timeout=10).json()
            if body["status"] in ("succeeded", "failed"):
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"the job did not finish within {JOB_TIMEOUT:g} s: {body}")
            time.sleep(0.5)
        elapsed = time.perf_counter() - started
        load = load_average()  # the machine is shared: how busy it was, beside the seconds
    finally:
        watch.running = False
        server.terminate()
        worker.terminate()
        server.wait(10)
        worker.wait(30)
    if load_only:
        print(f"Loaded {DB_NAME}: {body['status']}, {body['counts']}, {elapsed:.1f} s")
        return
    report(body, uploaded, elapsed, load, watch, env)


def report(
    body: dict[str, Any],
    uploaded: float,
    elapsed: float,
    load: str,
    watch: RssWatch,
    env: dict[str, str],
) -> None:
    import django

    os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")})
    sys.path.insert(0, str(ROOT))
    django.setup()
    from ingestion.models import IngestionJob

    timings = IngestionJob.objects.get(pk=body["job_id"]).timings
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor(),
    )  # fmt: skip
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    lines = [
        f"`make bench-ingest` on {datetime.now(UTC):%Y-%m-%d}, commit `{commit}`; {cpu},"
        f" {os.cpu_count()} CPUs, {memory_gb:.0f} GB RAM; Python {platform.python_version()},"
        " PostgreSQL and Redis on the same machine, one Celery worker (concurrency 1),"
        f" INGEST_BATCH_ROWS={os.environ.get('INGEST_BATCH_ROWS', '20000')}.",
        "",
        f"Job status **{body['status']}**, counts {body['counts']}.",
        "",
        f"- Upload (POST /ingest until 202): {uploaded:.1f} s",
        f"- **Upload to succeeded: {elapsed:.1f} s** (target ≤ 60 s); load average (1, 5, 15"
        f" min) at the end: {load}",
        f"- **Worker peak RSS: {watch.peak_process} MB** per process,"
        f" {watch.peak_total} MB for the worker's process tree (target ≤ 1 GB)",
        "",
        "| File | Phase | Seconds | Rows/s | Peak RSS after (MB) |",
        "|---|---|---:|---:|---:|",
    ]
    for kind in ("customers", "loans"):
        parse = timings.get(f"{kind}:parse", {})
        merge = timings.get(f"{kind}:merge", {})
        rows = parse.get("rows", 0)
        phases = [
            ("read: bounds check (a child process beside the reader's: unzip, scan the sheets)",
             parse.get("bounds_s", 0), parse.get("peak_rss_mb_read", 0)),
            ("read: open + read cells (the child)", parse.get("open_s", 0) + parse.get("read_s", 0),
             parse.get("peak_rss_mb_read", 0)),
            ("read: validate and format COPY text (the child, one pass)",
             parse.get("validate_s", 0), parse.get("peak_rss_mb_read", 0)),
            ("write: stage (COPY; second thread, overlaps the child's reading)",
             parse.get("stage_s", 0), parse.get("peak_rss_mb_parse", 0)),
            ("write: waited for the COPY thread", parse.get("stage_wait_s", 0),
             parse.get("peak_rss_mb_parse", 0)),
            ("write: check keys", parse.get("check_s", 0), parse.get("peak_rss_mb_parse", 0)),
            ("write: merge", merge.get("merge_s", 0), merge.get("peak_rss_mb", 0)),
        ]  # fmt: skip
        for name, seconds, rss in phases:
            rate = f"{rows / seconds:,.0f}" if seconds else "-"
            lines.append(f"| {kind} ({rows:,} rows) | {name} | {seconds:.1f} | {rate} | {rss} |")
    section = "\n".join(lines) + "\n"
    print(section)
    write_docs(section, START, END, "## Ingestion")


if __name__ == "__main__":
    main()
