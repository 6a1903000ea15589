"""README.md's examples are what the service answers: each `curl` of its Examples block runs, in
order, against `make run` on a fresh SQLite database, and its answer must equal, byte for byte,
the `# …` lines under it. The dates in the README are those of the day it was written; the test
moves them to today (a booked loan starts today), and nothing else."""

import os
import re
import shlex
import subprocess
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from credit.dates import add_months
from tests.processes import free_port, start, stop, wait_for_health

ROOT = Path(__file__).resolve().parents[1]
WRITTEN_ON = date(2026, 12, 1)  # the "today" of README.md's answers


def examples() -> list[tuple[str, str | None]]:
    """(command, expected answer or None) for each curl in README.md's Examples block. An answer
    is the run of `#` lines right under its command, joined without their `#` and indentation."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("### Examples", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    found: list[tuple[str, str | None]] = []
    command: list[str] = []
    answer: list[str] = []
    for line in [*block.splitlines(), ""]:
        if command and line.endswith("\\"):
            command.append(line[:-1])
        elif line.startswith("curl "):
            command = [line[:-1] if line.endswith("\\") else line]
        elif command and not answer and line and not line.startswith("#"):
            command.append(line)  # the last line of a continued command
        elif command and line.startswith("#"):
            answer.append(line[1:].strip())
        elif command:
            found.append((" ".join(part.strip() for part in command), "".join(answer) or None))
            command, answer = [], []
    return found


def service_today() -> date:
    """Today where the service is (TIME_ZONE), as core.clock reads it in the server."""
    return datetime.now(ZoneInfo(settings.TIME_ZONE)).date()


TIMESTAMP = re.compile(r'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d"')


def on_today(text: str) -> str:
    """The README's dates moved to today, and every timestamp (a draft's created_at) made the
    same on both sides."""
    today = service_today()
    for months in (12, 0):
        written, now = add_months(WRITTEN_ON, months), add_months(today, months)
        text = text.replace(written.isoformat(), now.isoformat())
    return without_timestamps(text)


def without_timestamps(text: str) -> str:
    return TIMESTAMP.sub('"<timestamp>"', text)


@pytest.fixture(scope="module")
def make_run(tmp_path_factory):
    """`make run` as a newcomer types it, on its own SQLite file and port, with no Redis."""
    folder = tmp_path_factory.mktemp("readme")
    port = free_port()
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "REDIS_URL", "API_KEYS", "DJANGO_SETTINGS_MODULE"}
    }
    env |= {"PORT": str(port), "DATABASE_URL": f"sqlite:///{folder / 'readme.sqlite3'}"}
    server = start(["make", "--no-print-directory", "run"], env, folder / "run.log", ROOT)
    try:
        wait_for_health(f"http://127.0.0.1:{port}", 120)
        yield port
    finally:
        stop(server)


def test_the_examples_block_is_found_whole():
    commands = [command for command, _ in examples()]
    assert len(commands) >= 10
    assert commands[0] == "curl -s localhost:8000/health"
    assert commands[1].startswith("curl -s -X POST localhost:8000/register")


def test_every_readme_example_answers_as_written(make_run):
    differences = []
    for command, expected in examples():
        argv = [
            part.replace("localhost:8000", f"127.0.0.1:{make_run}") for part in shlex.split(command)
        ]
        answer = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=True)
        if expected is None or without_timestamps(answer.stdout) != on_today(expected):
            differences.append(f"{command}\n  README: {expected}\n  server: {answer.stdout}")
    assert differences == []


def test_timestamps_compare_equal_whatever_their_time():
    assert on_today('"created_at":"2026-12-01T16:45:05.469271+05:30"') == without_timestamps(
        '"created_at":"2031-01-02T03:04:05+05:30"'
    )


def test_dates_move_to_today_and_nothing_else():
    text = '"start_date":"2026-12-01","end_date":"2027-12-01","amount":2026.12'
    today, in_a_year = service_today().isoformat(), add_months(service_today(), 12).isoformat()
    assert on_today(text) == f'"start_date":"{today}","end_date":"{in_a_year}","amount":2026.12'
    assert re.sub(r"\d", "", on_today(text)) == re.sub(r"\d", "", text)
