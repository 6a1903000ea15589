"""What CI can check of the Docker files without a Docker engine: structure, images, health
checks, start order, and that every command and environment name exists in this repository."""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


READERS = r"(?:env_str|env_bool|env_list|env_int|os\.environ\.get|os\.environ\.setdefault)"


def names_read_in(*paths: Path) -> set[str]:
    text = "\n".join(path.read_text() for path in paths)
    return set(re.findall(READERS + r"""\(\s*["']([A-Z_]+)["']""", text))


def names_read_by_the_code() -> set[str]:
    """Environment names the settings, the gunicorn config and the Makefile read."""
    makefile = (ROOT / "Makefile").read_text()
    return names_read_in(*(ROOT / "config").rglob("*.py")) | set(
        re.findall(r"\$\(([A-Z_]+)\)", makefile)
    )


def test_names_are_found_in_either_quote_style():
    # config/gunicorn.py reads HOST and PORT inside an f-string, in single quotes.
    assert {"HOST", "PORT", "WEB_CONCURRENCY"} <= names_read_in(ROOT / "config" / "gunicorn.py")


def env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if line and not line.startswith("#"))
    return {name.strip(): value.strip() for name, value in pairs}


def test_the_six_services_with_their_images(compose):
    services = compose["services"]
    assert set(services) == {"lb", "web", "worker", "beat", "db", "redis"}
    assert services["lb"]["image"] == "nginx:1.27-alpine"
    assert services["db"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert services["web"]["build"] == services["worker"]["build"] == services["beat"]["build"]
    assert services["web"]["build"] == "."


def test_it_says_it_needs_compose_v2_and_uses_no_v1_version_key(compose):
    assert "Needs Docker Compose v2" in (ROOT / "docker-compose.yml").read_text()
    assert "version" not in compose
    assert compose["name"] == "credit"


def test_only_the_load_balancer_publishes_a_port_so_web_and_worker_scale(compose):
    """`docker compose up --scale web=2 --scale worker=3`: a fixed container name or host port
    on a scaled service would make its second replica fail to start."""
    services = compose["services"]
    published = {name: service["ports"] for name, service in services.items() if "ports" in service}
    assert published == {"lb": ["${PORT:-8000}:8000"]}
    assert not [name for name, service in services.items() if "container_name" in service]
    assert not [name for name, service in services.items() if "hostname" in service]
    assert services["web"]["expose"] == ["8000"]
    assert services["lb"]["depends_on"] == {"web": {"condition": "service_healthy"}}


def test_the_load_balancer_follows_every_web_replica():
    config = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "resolver 127.0.0.11 valid=5s ipv6=off;" in config  # Docker's DNS, re-read
    assert re.search(r"upstream web \{\s*zone web 64k;\s*server web:8000 resolve;", config)
    assert "listen 8000;" in config
    assert "proxy_pass http://web;" in config
    assert "client_max_body_size 1g;" in config  # spreadsheet uploads
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in config
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in config


def test_lb_mounts_the_config_and_web_counts_it_as_one_proxy(compose):
    lb = compose["services"]["lb"]
    assert lb["volumes"] == ["./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro"]
    assert compose["services"]["web"]["environment"]["NUM_PROXIES"] == "1"


def test_the_env_file_is_optional(compose):
    for name in ("web", "worker"):
        assert compose["services"][name]["env_file"] == [{"path": ".env", "required": False}]


def test_every_service_has_a_health_check(compose):
    for name, service in compose["services"].items():
        assert service["healthcheck"]["test"], name


def test_web_and_worker_wait_for_a_healthy_db_and_redis(compose):
    for name in ("web", "worker"):
        depends = compose["services"][name]["depends_on"]
        assert depends == {
            "db": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
        }, name


def test_postgres_keeps_its_data_in_a_named_volume(compose):
    volume = compose["services"]["db"]["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]


def test_web_and_worker_share_the_uploads_folder(compose):
    for name in ("web", "worker"):
        service = compose["services"][name]
        assert service["volumes"] == ["ingest-data:/app/var/ingest"]
        assert service["environment"]["INGEST_DIR"] == "/app/var/ingest"


def test_the_commands_run_what_this_repository_has(compose):
    web = " ".join(compose["services"]["web"]["command"])
    assert "manage.py migrate --noinput" in web
    assert "gunicorn --config config/gunicorn.py config.wsgi" in web
    worker = compose["services"]["worker"]["command"]
    assert worker == ["celery", "-A", "config", "--quiet", "worker"]  # no banner: JSON lines only
    beat = compose["services"]["beat"]["command"]
    assert beat[:5] == ["celery", "-A", "config", "--quiet", "beat"]
    assert (ROOT / "config" / "gunicorn.py").is_file()
    assert (ROOT / "config" / "wsgi.py").is_file()
    assert (ROOT / "config" / "celery.py").is_file()


def test_the_makefile_serves_with_the_same_commands():
    makefile = (ROOT / "Makefile").read_text()
    assert "manage.py migrate --noinput" in makefile
    assert "gunicorn --config config/gunicorn.py config.wsgi" in makefile
    assert re.search(r"^serve:", makefile, re.MULTILINE)
    assert re.search(r"^worker:", makefile, re.MULTILINE)
    assert "celery -A config --quiet beat" in makefile


def test_app_environment_names_are_ones_the_code_reads(compose):
    read = names_read_by_the_code()
    for name in ("web", "worker"):
        environment = compose["services"][name]["environment"]
        assert set(environment) <= read, (name, set(environment) - read)


def test_env_example_lists_what_the_code_reads_and_nothing_else(compose):
    interpolated = set(re.findall(r"\$\{([A-Z_]+)", (ROOT / "docker-compose.yml").read_text()))
    listed = set(env_example())
    read = names_read_by_the_code()
    assert listed <= read | interpolated, listed - read - interpolated
    needed = {
        "DEBUG",
        "SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "ALLOWED_HOSTS",
        "API_KEYS",
        "ALLOW_ANONYMOUS",
        "API_THROTTLE_RATE",
        "WEB_CONCURRENCY",
        "HOST",
        "PORT",
        "LOG_LEVEL",
        "TIME_ZONE",
        "METRICS_PUBLIC",
        "NUM_PROXIES",
        "HTTPS",
    }
    assert needed <= listed, needed - listed
    # The other way round: every variable the settings read is in the example.
    settings_and_server = names_read_in(*(ROOT / "config").rglob("*.py"))
    # Set by the Makefile and the Dockerfile; an empty value from .env would switch them off.
    set_by_the_launchers = {"DJANGO_SETTINGS_MODULE", "PROMETHEUS_MULTIPROC_DIR"}
    assert settings_and_server - set_by_the_launchers <= listed


def test_env_example_holds_no_secret():
    values = env_example()
    assert values["SECRET_KEY"] == ""
    assert values["API_KEYS"] == ""
    assert values["POSTGRES_PASSWORD"] == ""


def test_compose_sets_a_rate_limit(compose):
    assert (
        compose["services"]["web"]["environment"]["API_THROTTLE_RATE"]
        == "${API_THROTTLE_RATE:-600/min}"
    )


def test_dockerfile_is_multi_stage_slim_non_root_with_a_health_check():
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", dockerfile, re.MULTILINE)
    assert len(stages) >= 2
    # Every stage on one base: the official image unless a build names another (CI does).
    assert set(stages) == {"${BASE_IMAGE}"}
    assert re.search(r"^ARG BASE_IMAGE=python:3\.11-slim$", dockerfile, re.MULTILINE)
    user = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert user
    assert user[-1] not in {"root", "0"}
    assert re.search(r"^HEALTHCHECK .*\n?.*CMD .*/health", dockerfile, re.MULTILINE)
    assert "requirements/base.txt" in dockerfile
    assert "gunicorn --config config/gunicorn.py config.wsgi" in dockerfile
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in dockerfile


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".env", ".git", ".venv", "db.sqlite3*"):
        assert entry in ignored


def test_the_deployment_guide_documents_every_variable_the_settings_read():
    guide = (ROOT / "docs" / "deployment.md").read_text()
    table = set(re.findall(r"^\| `([A-Z_]+)` \|", guide, flags=re.MULTILINE))
    read = names_read_in(*(ROOT / "config").rglob("*.py"))
    assert read <= table, sorted(read - table)


MACHINE_LOCAL = re.compile(
    r"^\s*(--index-url|--extra-index-url|--find-links|-i|-f)\b", re.MULTILINE
)


def test_the_lock_files_name_no_index_or_wheel_folder():
    """pip-compile copies the compiling machine's pip options into a lock file unless told not
    to (make lock: --no-emit-index-url --no-emit-find-links); elsewhere they are warnings."""
    for lock in sorted((ROOT / "requirements").glob("*.txt")):
        assert not MACHINE_LOCAL.search(lock.read_text()), lock.name


def supported_pythons() -> dict[tuple[int, int, int], Path]:
    """This machine's Pythons inside pyproject's requires-python (Debian's python3, pyenv's,
    this run's own), one per version: the lock is checked on the lowest and the highest."""
    allowed = SpecifierSet(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    )
    candidates = [Path(sys.executable), Path("/usr/bin/python3")]
    candidates += sorted(Path.home().glob(".pyenv/versions/*/bin/python3"))
    found: dict[tuple[int, int, int], Path] = {}
    for python in candidates:
        if not python.is_file():
            continue
        said = subprocess.run(
            [python, "-c", "import sys; print(*sys.version_info[:3])"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.split()
        if len(said) == 3 and ".".join(said) in allowed:
            major, minor, micro = (int(part) for part in said)
            found.setdefault((major, minor, micro), python)
    return found


def pythons_to_check() -> dict[str, Path]:
    """The lowest and the highest of them, by version."""
    found = supported_pythons()
    if not found:
        return {}
    return {".".join(map(str, version)): found[version] for version in {min(found), max(found)}}


def pip_environment() -> dict[str, str]:
    """A newcomer's pip: none of this machine's pip configuration (files or PIP_* variables),
    and without pip's own notice that a newer pip exists, which says nothing of the lock."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PIP_")}
    return env | {"PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def locked_for(environment: dict[str, str]) -> set[tuple[str, str]]:
    """(name, version) of every pin in the lock files whose marker holds in `environment`."""
    pins: set[tuple[str, str]] = set()
    for lock in ("base.txt", "dev.txt"):
        for line in (ROOT / "requirements" / lock).read_text().splitlines():
            if line and not line.startswith((" ", "#", "-")):
                requirement = Requirement(line)
                if requirement.marker is None or requirement.marker.evaluate(environment):
                    (version,) = (spec.version for spec in requirement.specifier)
                    pins.add((canonicalize_name(requirement.name), version))
    return pins


def marker_environment(dotted: str) -> dict[str, str]:
    """The PEP 508 environment of CPython `dotted` (3.11.2) on this machine's platform."""
    return {name: str(value) for name, value in default_environment().items()} | {
        "python_version": dotted.rsplit(".", 1)[0],
        "python_full_version": dotted,
        "implementation_version": dotted,
    }


@pytest.mark.parametrize("python", sorted(pythons_to_check().items()), ids=lambda item: item[0])
def test_the_lock_is_whole_for_each_python(python):
    """What `make run` installs, resolved afresh for this Python by uv (which wrote the lock):
    exactly the pins the lock files hold for it, nothing missing (redis needs async-timeout
    before 3.11.3), nothing else. That pip installs them without a warning on the lowest and
    the highest Python, CI's two `make test` passes show: each makes its .venv with pip from
    these files, and the Makefile runs `pip check` after."""
    dotted, _ = python
    result = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "uv"),
            *("pip", "compile", "--quiet", "--no-header", "--no-annotate"),
            *("--python-version", dotted, "--python-platform", "linux"),
            *("requirements/base.txt", "requirements/dev.txt"),
        ],
        cwd=ROOT,
        env=pip_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (result.returncode, result.stderr) == (0, "")
    resolved = {
        (canonicalize_name(name), pinned)
        for name, _, pinned in (
            line.split(";")[0].strip().partition("==") for line in result.stdout.splitlines()
        )
        if pinned
    }
    assert resolved == locked_for(marker_environment(dotted))


def test_the_pythons_found_here_are_the_ones_pyproject_allows():
    found = supported_pythons()
    assert found, "no Python of pyproject's requires-python here"
    assert (3, 11) <= min(found)[:2] <= max(found)[:2] <= (3, 13)
