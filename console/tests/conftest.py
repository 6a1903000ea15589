from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from core.auth import Role
from people.services import grant

PASSWORD = "a-long-enough-password-42"


@pytest.fixture
def staff() -> Callable[..., User]:
    """A person with the given roles."""

    def make(*roles: Role, name: str = "") -> User:
        user = User.objects.create_user(name or "-".join(roles) or "nobody", password=PASSWORD)
        for role in roles:
            grant(user, role)
        return user

    return make


@pytest.fixture
def signed_in(staff):
    """A browser signed in as a new person with the given roles."""

    def sign_in(*roles: Role, name: str = "") -> Client:
        client = Client()
        client.force_login(staff(*roles, name=name))
        return client

    return sign_in


@pytest.fixture
def officer(signed_in):
    return signed_in(Role.OFFICER, name="asha")


@pytest.fixture
def run_inline(monkeypatch):
    """Background jobs (ingestion, simulations) run at once inside the test's transaction,
    instead of after its commit."""
    from core import jobs

    monkeypatch.setattr(jobs, "start_after_commit", lambda task, job_id: task.run(job_id))


def form_key() -> str:
    import uuid

    return str(uuid.uuid4())


# --- Browser tests (test_browser.py): Debian's chromium against a live console -------------


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """pytest-playwright launches the chromium on PATH, never a downloaded one."""
    from conftest import require_or_skip
    from console.tests.browser import CHROMIUM_ARGS, chromium_path

    path = chromium_path()
    if path is None:
        require_or_skip("needs Debian's chromium on PATH (apt-get install -y chromium)")
    return {"executable_path": path, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    """The live console: the production stack on PostgreSQL with Redis, else the embedded
    default (SQLite, runserver)."""
    import os

    from django.db import connection

    from console.tests.live import live_console

    production = connection.vendor == "postgresql" and bool(os.environ.get("REDIS_URL"))
    with live_console(tmp_path_factory.mktemp("console"), production=production) as console:
        yield console


@pytest.fixture(scope="session")
def browser_context_args(live):
    # Every context from one address; the lockout test makes its own (test_browser.py).
    return {
        "base_url": live.base,
        "viewport": {"width": 1440, "height": 900},
        "extra_http_headers": {"X-Forwarded-For": "10.20.0.1"},
    }
