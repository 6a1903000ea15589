"""config.settings.production refuses an unsafe start: non-zero exit naming the variable."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings.checks import KNOWN_INSECURE_SECRET_KEYS

ROOT = Path(__file__).resolve().parents[2]
STRONG_SECRET = "k3P9-vQ2x_Lr7TbN8mYz4HcW1sJd6FgA0eUoRiXpVnKtCqEhSlZaMwBy5_jG2uDf"
GOOD = {
    "DEBUG": "false",
    "SECRET_KEY": STRONG_SECRET,
    "ALLOWED_HOSTS": "credit.example.com",
    "API_KEYS": "client-one-0123456789",
}
NAMES = (*GOOD, "ALLOW_ANONYMOUS", "API_THROTTLE_RATE", "DATABASE_URL", "REDIS_URL")


def start(overrides: dict[str, str | None], *command: str) -> subprocess.CompletedProcess[str]:
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


def test_debug_on_skips_the_refusal():
    assert start({"DEBUG": "true", "API_KEYS": None}).returncode == 0


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
