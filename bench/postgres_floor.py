"""PostgreSQL's side of a decision's floor: how many durable audit-row INSERTs per second this
PostgreSQL commits (each in autocommit, one WAL flush, as check-eligibility's), under each group
commit setting and through PgBouncer when it is installed. For docs/scaling.md.

pgbench runs the project's audit INSERT (bench/floor_statements.py's RECORD_DECISION, with
values) from 16 clients on credit_bench, which `make bench` leaves behind. Each setting is set
with ALTER DATABASE on credit_bench only (new sessions take it; the server's configuration is
not touched) and reset afterwards. Nothing here gives up durability: synchronous_commit and
fsync stay on; commit_delay only makes a committing backend wait for others to flush together.

    .venv/bin/python -m bench.postgres_floor [--seconds 5] [--clients 16]
"""

import argparse
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from bench.floor_statements import RECORD_DECISION
from tests.processes import free_port

DATABASE = "credit_bench"
HOST, USER = "127.0.0.1", "postgres"
PORT = os.environ.get("BENCH_PG_PORT", "5432")
# (commit_delay µs, commit_siblings): PostgreSQL's default first.
GROUP_COMMIT = [(0, 5), (10, 5), (100, 5), (500, 5), (1000, 5), (100, 1), (1000, 1)]
VALUES = (
    ":customer", "'check_eligibility'", "100000.00", "12.00", "12", "current_date", "false", "32",
    "'{}'::jsonb", "'{}'::jsonb", "'[]'::jsonb", "12.00", "8884.88", "17000.00", "NULL",
    "'{}'::jsonb", "1", "NULL", "'bench-pg'", "now()",
)  # fmt: skip


def script() -> str:
    values = iter(VALUES)
    insert = re.sub(r"%s", lambda _: next(values), RECORD_DECISION)
    return f"\\set customer random(1, 300)\n{insert};\n"


def psql(sql: str) -> None:
    command = ["psql", "-h", HOST, "-p", PORT, "-U", USER, "-d", "postgres", "-qAtc", sql]
    subprocess.run(command, check=True)


def pgbench(port: str, mode: str, seconds: int, clients: int, workload: Path) -> float:
    command = ["pgbench", "-h", HOST, "-p", port, "-U", USER, "-n", "-M", mode, "-f", str(workload)]
    command += ["-c", str(clients), "-j", "2", "-T", str(seconds), DATABASE]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    found = re.search(r"tps = ([\d.]+)", out)
    return float(found.group(1)) if found else 0.0


def pgbouncer(folder: Path, pool: int) -> tuple[subprocess.Popen[bytes], str]:
    """PgBouncer in transaction mode, `pool` server connections for the clients."""
    port = str(free_port())
    (folder / "users.txt").write_text(f'"{USER}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        f"[databases]\n{DATABASE} = host={HOST} port={PORT} dbname={DATABASE}\n"
        f"[pgbouncer]\nlisten_addr = {HOST}\nlisten_port = {port}\nauth_type = trust\n"
        f"auth_file = {folder / 'users.txt'}\npool_mode = transaction\n"
        f"default_pool_size = {pool}\nmax_client_conn = 100\nunix_socket_dir =\n"
    )
    # PgBouncer refuses to run as root: as the database's own user then.
    as_user = ["-u", USER] if os.geteuid() == 0 else []
    folder.chmod(0o755)
    command = [shutil.which("pgbouncer") or "pgbouncer", *as_user, str(folder / "pgbouncer.ini")]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    return process, port


def group_commit(delay: int, siblings: int, options: argparse.Namespace, workload: Path) -> float:
    psql(f"ALTER DATABASE {DATABASE} SET commit_delay = {delay}")
    psql(f"ALTER DATABASE {DATABASE} SET commit_siblings = {siblings}")
    try:
        return pgbench(PORT, "prepared", options.seconds, options.clients, workload)
    finally:
        psql(f"ALTER DATABASE {DATABASE} RESET commit_delay")
        psql(f"ALTER DATABASE {DATABASE} RESET commit_siblings")


def pooled(pool: int, options: argparse.Namespace, workload: Path) -> float:
    """Through PgBouncer: the extended protocol, unprepared (PgBouncer before 1.21 cannot keep
    prepared statements in transaction mode)."""
    process, port = pgbouncer(workload.parent, pool)
    try:
        return pgbench(port, "extended", options.seconds, options.clients, workload)
    finally:
        process.terminate()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    options = parser.parse_args()
    runs: dict[str, Callable[[Path], float]] = {
        f"| direct, prepared | {delay} | {siblings} |": partial(
            group_commit, delay, siblings, options
        )
        for delay, siblings in GROUP_COMMIT
    }
    if shutil.which("pgbouncer"):
        runs["| direct, extended protocol | 0 | 5 |"] = lambda workload: pgbench(
            PORT, "extended", options.seconds, options.clients, workload
        )
        for pool in (2, 4, 8):
            runs[f"| PgBouncer, transaction mode, pool {pool} | 0 | 5 |"] = partial(
                pooled, pool, options
            )
    figures: dict[str, list[float]] = {row: [] for row in runs}
    with tempfile.TemporaryDirectory() as folder:
        workload = Path(folder) / "insert.sql"
        workload.write_text(script())
        for round_ in range(options.rounds):  # interleaved: every setting once per round
            for row in runs if round_ % 2 == 0 else list(runs)[::-1]:
                figures[row].append(runs[row](workload))
                print(row, f"{figures[row][-1]:,.0f}", flush=True)
    load = ", ".join(f"{figure:.2f}" for figure in os.getloadavg())
    print(f"{options.clients} clients, {options.seconds} s per run; load average after: {load}")
    print("| connection | commit_delay µs | commit_siblings | durable INSERTs/s, each round |")
    print("|---|---:|---:|---:|")
    for row, each in figures.items():
        print(row, " / ".join(f"{figure:,.0f}" for figure in each), "|")


if __name__ == "__main__":
    main()
