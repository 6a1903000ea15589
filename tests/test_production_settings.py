"""config.settings.production refuses an unsafe start: non-zero exit naming the variable."""

import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from config.settings.checks import KNOWN_INSECURE_SECRET_KEYS

ROOT = Path(__file__).resolve().parents[1]
STRONG_SECRET = "k3P9-vQ2x_Lr7TbN8mYz4HcW1sJd6FgA0eUoRiXpVnKtCqEhSlZaMwBy5_jG2uDf"
GOOD = {
    "DEBUG": "false",
    "SECRET_KEY": STRONG_SECRET,
    "ALLOWED_HOSTS": "credit.example.com",
    "API_KEYS": "client-one-0123456789",
}
NAMES = (
    *GOOD,
    "ALLOW_ANONYMOUS",
    "ALLOW_DEBUG_IN_PRODUCTION",
    "API_THROTTLE_RATE",
    "DATABASE_URL",
    "REDIS_URL",
)


def start(overrides: Mapping[str, str | None], *command: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in NAMES}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    env.update({key: value for key, value in {**GOOD, **overrides}.items() if value is not None})
    return subprocess.run(
        command or [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_safe_setup_starts():
    result = start({})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": ""}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "local-development-only-not-secret"}, "SECRET_KEY is a known insecure"),
        ({"SECRET_KEY": "django-insecure-" + STRONG_SECRET}, "SECRET_KEY is a known insecure"),
        ({"SECRET_KEY": "short-but-random-9f8e7d"}, "SECRET_KEY is too weak"),
        ({"SECRET_KEY": "ab" * 40}, "SECRET_KEY is too weak"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS is empty"),
        ({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS is empty"),
        ({"API_KEYS": "fine-key-0123456789,short"}, "API_KEYS holds a key shorter"),
        ({"API_THROTTLE_RATE": "lots"}, "API_THROTTLE_RATE must be"),
    ],
)
def test_an_unsafe_setup_exits_non_zero_naming_the_variable(overrides, variable):
    result = start(overrides)
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {variable}" in result.stderr


def test_manage_py_refuses_too():
    result = start({"SECRET_KEY": None}, sys.executable, "manage.py", "check")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_without_api_keys_starts_closed_and_anonymous_only_when_explicit():
    """Managed keys need no API_KEYS; without either kind nobody gets in (not even by
    forgetting the variable) unless ALLOW_ANONYMOUS=true says so."""
    probe = "from django.conf import settings; print(settings.API_KEYS_REQUIRED)"
    cases: list[tuple[dict[str, str | None], str]] = [
        ({"API_KEYS": None}, "True"),
        ({"API_KEYS": None, "ALLOW_ANONYMOUS": "true"}, "False"),
    ]
    for overrides, required in cases:
        result = start(overrides, sys.executable, "manage.py", "shell", "-c", probe)
        assert (result.returncode, result.stdout.split()[-1]) == (0, required), result.stderr


DEBUG_REFUSED = (
    "ImproperlyConfigured: DEBUG is true in the production profile: set DEBUG=false, or "
    "ALLOW_DEBUG_IN_PRODUCTION=true to debug this deployment on purpose"
)


def test_debug_on_is_refused_naming_the_variable_that_allows_it():
    result = start({"DEBUG": "true"})
    assert result.returncode != 0
    assert result.stderr.rstrip().endswith(DEBUG_REFUSED)


def test_make_serve_with_debug_on_refuses_to_start(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in NAMES}
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"  # were it to start, not the project's
    result = subprocess.run(
        ["make", "--no-print-directory", "serve"],
        cwd=ROOT,
        env={**env, **GOOD, "DEBUG": "true", "DATABASE_URL": database},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert DEBUG_REFUSED in result.stderr


def test_debug_allowed_on_purpose_skips_the_refusals():
    allowed = {"DEBUG": "true", "ALLOW_DEBUG_IN_PRODUCTION": "true", "API_KEYS": None}
    assert start(allowed).returncode == 0


@pytest.mark.parametrize(
    ("overrides", "suggestion"),
    [
        ({"SECRET_KEY": None}, "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"),
        ({"API_KEYS": "short"}, "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"),
    ],
)
def test_a_refusal_suggests_the_python3_the_readme_assumes(overrides, suggestion):
    assert start(overrides).stderr.rstrip().endswith(suggestion)


def test_the_local_profile_secret_is_on_the_insecure_list():
    from config.settings import local

    assert local.SECRET_KEY in KNOWN_INSECURE_SECRET_KEYS


def test_deploy_check_passes_behind_https():
    """Django's deploy checklist leaves only the HSTS choices that depend on the lender's domain
    (include subdomains, preload list)."""
    result = start({"HTTPS": "true"}, sys.executable, "manage.py", "check", "--deploy")
    assert result.returncode == 0, result.stderr
    issues = set(re.findall(r"\((security\.\w+)\)", result.stdout + result.stderr))
    assert issues <= {"security.W005", "security.W021"}, result.stdout + result.stderr


def json_lines(text: str) -> list[dict[str, Any]]:
    """Every line of `text`, each of which must be one JSON object."""
    return [json.loads(line) for line in text.splitlines()]


def test_migrate_reports_in_json_lines(tmp_path):
    database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    result = start(database, sys.executable, "manage.py", "migrate", "--noinput")
    assert result.returncode == 0, result.stderr
    report = [
        line["message"]
        for line in json_lines(result.stdout + result.stderr)
        if line["logger"] == "core.management.commands.migrate"
    ]
    assert report[:4] == [
        "Operations to perform:",
        "Apply all migrations: admin, approvals, auth, axes, console, contenttypes, core, "
        "customers, decisions, ingestion, loans, people, policies, sessions",
        "Running migrations:",
        "Applying contenttypes.0001_initial... OK",
    ]
    again = start(database, sys.executable, "manage.py", "migrate", "--noinput")
    assert json_lines(again.stdout + again.stderr)[-1]["message"] == "No migrations to apply."


def test_a_failing_migrate_says_why_in_a_json_line(tmp_path):
    database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    result = start(database, sys.executable, "manage.py", "migrate", "nosuchapp", "--noinput")
    assert result.returncode == 1
    last = json_lines(result.stdout + result.stderr)[-1]
    assert (last["level"], last["message"]) == (
        "ERROR",
        "CommandError: No installed app with label 'nosuchapp'.",
    )


def test_python_warnings_are_json_lines():
    warn = "import django, warnings; django.setup(); warnings.warn('a library is unhappy')"
    result = start({}, sys.executable, "-c", warn)
    assert result.returncode == 0, result.stderr
    warning = json_lines(result.stderr)[-1]
    assert (warning["level"], warning["logger"]) == ("WARNING", "py.warnings")
    shown = "<string>:1: UserWarning: a library is unhappy\n"
    if sys.version_info >= (3, 13):  # `-c`'s source is in linecache: the warning shows the line
        shown += f"  {warn}\n"
    assert warning["message"] == shown


def test_the_served_application_is_loaded_whole_and_frozen_out_of_the_collector():
    """config/wsgi.py, as gunicorn imports it: the URLconf (every view) already loaded, and the
    objects loaded with it moved to the collector's permanent generation (gc.freeze)."""
    probe = (
        "import gc, sys; import config.wsgi; "
        "print(gc.get_freeze_count() > 50_000, 'loans.api' in sys.modules)"
    )
    result = start({}, sys.executable, "-c", probe)
    assert (result.returncode, result.stdout.split()[-2:]) == (0, ["True", "True"]), result.stderr
