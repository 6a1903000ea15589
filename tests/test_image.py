"""The Docker image as shipped, run as docker-compose.yml runs it: web, worker and beat with
compose's own commands, environment and health checks (read from the file, never restated), in
podman with host networking, against this machine's PostgreSQL and Redis.

Its own step in CI (`make image-test`, run by .ci/run, which builds the image first with
.ci/build-image); elsewhere it skips. Compose's values are kept but for what host networking
and this machine change: DATABASE_URL and REDIS_URL (compose's own db and redis services are
this machine's, on a database and a Redis db of this test's), PORT (the host's ports are
shared: a free one instead of 8000), and the secrets a .env would hold (SECRET_KEY, API_KEYS)."""

import json
import os
import re
import resource
import subprocess
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
import yaml
from python_calamine import CalamineWorkbook

from tests.processes import (
    PRODUCTION_SECRET_KEY,
    free_port,
    recreate_database,
    wait_for_health,
)

ROOT = Path(__file__).resolve().parents[1]
IMAGE = os.environ.get("IMAGE", "localhost/credit-approval-service:test")
DATABASE = "credit_image"
REDIS_URL = "redis://127.0.0.1:6379/2"
KEY = "image-test-client-key-0123456789"
SHARED_DATA = ROOT.parent / "shared" / "data"
SERVICES = ("web", "worker", "beat")

pytestmark = pytest.mark.skipif(
    os.environ.get("IMAGE_TEST") != "1",
    reason="the image's end-to-end is a step of its own: make image-test (.ci/run runs it)",
)


def compose_interpolated(value: str, variables: dict[str, str]) -> str:
    """Compose's interpolation of the forms docker-compose.yml uses: ${NAME:-default},
    ${NAME} and $$ (a dollar sign); any other form fails the test rather than pass unread."""

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, default = match.group("name"), match.group("default")
        return variables.get(name) or (default or "")

    pattern = r"\$\$|\$\{(?P<name>[A-Z_]+)(?::-(?P<default>[^}]*))?\}"
    result = re.sub(pattern, one, value)
    assert "$" not in re.sub(pattern, "", value), f"unread interpolation in {value!r}"
    return result


def compose_service(name: str) -> dict[str, Any]:
    """docker-compose.yml's service `name`, interpolated as `docker compose up` without a .env
    file or variables would (every ${…:-default} takes its default)."""
    service = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"][name]

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return compose_interpolated(value, {})
        if isinstance(value, list):
            return [walk(item) for item in value]
        if isinstance(value, dict):
            return {key: walk(item) for key, item in value.items()}
        return value

    return dict(walk(service))


def ulimits() -> list[str]:
    """Explicit limits within this shell's (runc here refuses podman's defaults)."""
    flags = []
    for name, kind, most in (
        ("nofile", resource.RLIMIT_NOFILE, 16384),
        ("nproc", resource.RLIMIT_NPROC, 4096),
    ):
        soft, _ = resource.getrlimit(kind)
        value = most if soft == resource.RLIM_INFINITY else min(soft, most)
        flags += ["--ulimit", f"{name}={value}:{value}"]
    return flags


def podman(*args: str, timeout: float = 120, check: bool = True) -> str:
    done = subprocess.run(
        ["podman", *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check:
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout.strip()


def health_flags(check: dict[str, Any]) -> list[str]:
    """Compose's healthcheck as podman's, and its timing. podman takes the exec form as a JSON
    array without its "CMD" (with it, podman 4.3 splits the JSON text at spaces) and the shell
    form with its "CMD-SHELL". podman's own timer needs systemd, absent here: the test runs
    each check itself."""
    kind, *command = check["test"]
    assert kind in ("CMD", "CMD-SHELL"), check["test"]
    return [
        *("--health-cmd", json.dumps(command if kind == "CMD" else check["test"])),
        *("--health-timeout", check["timeout"]),
        *("--health-retries", str(check["retries"])),
        *("--health-start-period", check["start_period"]),
        *("--health-interval", "disable"),
    ]


class Stack:
    def __init__(self, port: int, volume: str, run: str) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.port = port
        self.volume = volume
        self.run = run

    def container(self, service: str) -> str:
        return f"credit-image-{self.run}-{service}"

    def start(self, service: str) -> None:
        spec = compose_service(service)
        environment = {
            **spec["environment"],
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
            "REDIS_URL": REDIS_URL,
            "SECRET_KEY": PRODUCTION_SECRET_KEY,
            "API_KEYS": KEY,
        }
        if "PORT" in environment:
            environment["PORT"] = str(self.port)
        volumes = [
            f"{self.volume}:{mount.split(':', 1)[1]}"
            for mount in spec.get("volumes", [])
            if mount.split(":", 1)[0] == "ingest-data"
        ]
        assert len(volumes) == len(spec.get("volumes", [])), spec["volumes"]
        podman(
            "run",
            "--detach",
            *("--name", self.container(service), "--hostname", self.container(service)),
            *("--runtime", "runc", "--network", "host", *ulimits()),
            *(flag for name, value in environment.items() for flag in ("--env", f"{name}={value}")),
            *(flag for volume in volumes for flag in ("--volume", volume)),
            *health_flags(spec["healthcheck"]),
            IMAGE,
            *spec["command"],
        )

    def logs(self, service: str) -> str:
        """What the container wrote, on stdout and stderr alike (gunicorn and Celery log to
        stderr)."""
        done = subprocess.run(
            ["podman", "logs", self.container(service)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=60,
            check=False,
        )
        return done.stdout

    def healthy(self, service: str) -> bool:
        done = subprocess.run(
            ["podman", "healthcheck", "run", self.container(service)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        return done.returncode == 0

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return requests.get(f"{self.base}{path}", headers={"X-API-Key": KEY}, timeout=30, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return requests.post(f"{self.base}{path}", headers={"X-API-Key": KEY}, timeout=60, **kwargs)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    assert podman("image", "exists", IMAGE, check=False) == "", f"build {IMAGE} first"
    run = str(os.getpid())
    volume = f"credit-image-{run}-ingest-data"
    built = Stack(free_port(), volume, run)
    recreate_database(DATABASE)
    redis.Redis.from_url(REDIS_URL).flushdb()
    podman("volume", "create", volume)
    try:
        for service in SERVICES:
            built.start(service)
        wait_for_health(built.base, 120, key=KEY)
        yield built
    finally:
        logs = tmp_path_factory.mktemp("image")
        for service in SERVICES:
            (logs / f"{service}.log").write_text(built.logs(service))
            podman("rm", "--force", "--time", "10", built.container(service), check=False)
        podman("volume", "rm", "--force", volume, check=False)
        recreate_database(DATABASE, drop_only=True)
        print(f"The containers' logs: {logs}")


def test_health_reports_the_database_redis_and_the_worker_ok(stack: Stack) -> None:
    body = wait_for_health(stack.base, 30, key=KEY)
    assert body["checks"] == {"database": "ok", "redis": "ok", "worker": "ok"}
    assert body["version"] == "1.0.0"
    stranger = requests.get(f"{stack.base}/health", timeout=10)
    assert (stranger.status_code, stranger.json()) == (200, {"status": "ok", "database": "ok"})


@pytest.mark.parametrize("service", SERVICES)
def test_each_process_runs_as_the_unprivileged_user(stack: Stack, service: str) -> None:
    """The container's first process, as the kernel sees it: its real, effective, saved and file
    system user ids, by name."""
    uids = podman(
        "exec", stack.container(service), "sh", "-c", "grep '^Uid:' /proc/1/status; id -u app"
    ).split()
    *process_uids, app_uid = uids[1:]
    assert process_uids == [app_uid] * 4
    assert app_uid != "0"
    assert podman("exec", stack.container(service), "id", "-un") == "app"


@pytest.mark.parametrize("service", SERVICES)
def test_each_compose_health_check_passes(stack: Stack, service: str) -> None:
    """The health check compose declares, run in the container as compose's engine would; beat's
    is its schedule file, written once it runs, so it may take a moment."""
    deadline = time.monotonic() + 60
    while not stack.healthy(service):
        assert time.monotonic() < deadline, stack.logs(service)
        time.sleep(1)


def test_the_images_own_health_check_passes_in_web(stack: Stack) -> None:
    (image,) = json.loads(podman("image", "inspect", IMAGE))
    check = image["Healthcheck"]
    assert check["Test"][0] == "CMD"
    podman("exec", stack.container("web"), *check["Test"][1:])


def test_the_logs_are_json_lines(stack: Stack) -> None:
    """Production settings in every process: nothing but JSON lines (with the container's
    stop, Celery's `Warm shutdown` would be the one exception)."""
    for service in SERVICES:
        lines = stack.logs(service).splitlines()
        assert lines, service
        assert [json.loads(line)["level"] for line in lines if line.strip()], service


def sheet(path: Path) -> list[list[Any]]:
    return list(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[1:])


@pytest.mark.skipif(
    not SHARED_DATA.is_dir(),
    reason=f"the original files are not beside this clone ({SHARED_DATA}); CI has them",
)
def test_the_original_files_ingest_through_post_ingest(stack: Stack) -> None:
    customers = sheet(SHARED_DATA / "customer_data.xlsx")
    loans = sheet(SHARED_DATA / "loan_data.xlsx")
    with (
        (SHARED_DATA / "customer_data.xlsx").open("rb") as customer_file,
        (SHARED_DATA / "loan_data.xlsx").open("rb") as loan_file,
    ):
        accepted = stack.post("/ingest", files={"customers": customer_file, "loans": loan_file})
    assert accepted.status_code == 202, accepted.text
    job_id = accepted.json()["job_id"]
    deadline = time.monotonic() + 180
    while (job := stack.get(f"/ingest/{job_id}").json())["status"] not in ("succeeded", "failed"):
        assert time.monotonic() < deadline, (job, stack.logs("worker"))
        time.sleep(0.5)
    assert (job["status"], job["errors"]) == ("succeeded", [])
    assert job["counts"]["customers"] == {
        "created": len(customers),
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    assert job["counts"]["loans"]["created"] == len(loans)
    # Each gunicorn process keeps its counts for a few seconds (counts_as_of says when).
    expected = {"customers": len(customers), "loans": len(loans)}
    deadline = time.monotonic() + 30
    while (counted := stack.get("/health").json())["counts"] != expected:
        assert time.monotonic() < deadline, counted
        time.sleep(1)


def test_a_loan_is_booked(stack: Stack) -> None:
    registered = stack.post(
        "/register",
        json={
            "first_name": "Asha",
            "last_name": "Rao",
            "age": 30,
            "monthly_income": 50000,
            "phone_number": 1234567890,
        },
    )
    assert registered.status_code == 201, registered.text
    customer_id = registered.json()["customer_id"]
    assert registered.json(parse_float=Decimal)["approved_limit"] == Decimal("1800000.00")
    asked = {"customer_id": customer_id, "loan_amount": 100000, "interest_rate": 10, "tenure": 12}
    booked = stack.post("/create-loan", json=asked)
    assert booked.status_code == 201, booked.text
    answer = booked.json(parse_float=Decimal)
    assert (answer["loan_approved"], answer["monthly_installment"]) == (True, Decimal("8884.88"))
    loan = stack.get(f"/view-loan/{answer['loan_id']}").json(parse_float=Decimal)
    assert (loan["interest_rate"], loan["tenure"], loan["status"], loan["customer"]["id"]) == (
        Decimal("12.00"),
        12,
        "active",
        customer_id,
    )
