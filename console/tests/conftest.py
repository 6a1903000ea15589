from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import User
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright

from console.tests.browser import watch_for_violations
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
def run_inline(run_inline, monkeypatch):
    """Background jobs (ingestion, simulations) and the jobs they hand over run at once inside
    the test's transaction (the root conftest's run_inline), without waiting for its commit."""
    from core import jobs

    monkeypatch.setattr(jobs, "start_after_commit", lambda task, job_id: jobs.start(task, job_id))
    return run_inline


def form_key() -> str:
    import uuid

    return str(uuid.uuid4())


# --- Browser tests (test_browser*.py): Debian's chromium against a live console -------------


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


# pytest-playwright's Playwright and browser, for each browser test module on its own. Its sync
# API keeps an asyncio loop running in the main thread while it lives, and Django takes any
# database call made then for async code (SynchronousOnlyOperation): a session-wide Playwright
# would break every test after the module. Here it stops with the module, and the check is off
# only meanwhile.
@pytest.fixture(scope="module")
def playwright(browser_type_launch_args) -> Iterator[Playwright]:
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as started:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield started


@pytest.fixture(scope="module")
def browser_type(playwright, browser_name):
    return getattr(playwright, browser_name)


@pytest.fixture(scope="module")
def launch_browser(browser_type_launch_args, browser_type):
    return lambda **options: browser_type.launch(**{**browser_type_launch_args, **options})


@pytest.fixture(scope="module")
def browser(launch_browser) -> Iterator[Browser]:
    started = launch_browser()
    yield started
    started.close()


@pytest.fixture
def context(context: BrowserContext) -> Iterator[BrowserContext]:
    """pytest-playwright's context (every `page`), watched."""
    violations = watch_for_violations(context)
    yield context
    assert not violations, violations


@pytest.fixture(scope="session")
def people(live):
    for name, role in (
        ("e2e-officer", "officer"),
        ("e2e-operations", "operations"),
        ("e2e-locked", "officer"),
        ("e2e-approver", "approver"),
    ):
        live.staff(name, role)
