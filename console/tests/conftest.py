from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from console.roles import grant
from core.auth import Role

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
