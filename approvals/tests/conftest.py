import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command

from customers.models import Customer
from customers.tests.factories import CustomerFactory
from policies.services import activate, create_draft

# Who is who in these tests: each name is an API key's (its role after it).
PEOPLE = {
    "olga": "officer",
    "omar": "officer",
    "asha": "approver",
    "ravi": "approver",
    "rita": "risk",
    "ram": "risk",
    "root": "admin",
}
LINE = Decimal("500000")


def make_key(name: str, role: str) -> str:
    out = io.StringIO()
    call_command("api_key", "create", name, "--role", role, stdout=out)
    return out.getvalue().splitlines()[-1]


@pytest.fixture
def four_eyes(settings: Any) -> None:
    settings.FOUR_EYES = True


@pytest.fixture
def keys() -> dict[str, str]:
    return {name: make_key(name, role) for name, role in PEOPLE.items()}


@pytest.fixture
def as_(api: Any, keys: dict[str, str]) -> Callable[..., Any]:
    """`as_("asha").post(path, body)`: the request with asha's key."""

    class Person:
        def __init__(self, name: str) -> None:
            self.key = keys[name]

        def get(self, path: str) -> Any:
            return api.get(path, HTTP_X_API_KEY=self.key)

        def post(self, path: str, body: Any = None, **headers: Any) -> Any:
            return api.post(path, body, format="json", HTTP_X_API_KEY=self.key, **headers)

        def patch(self, path: str, body: Any) -> Any:
            return api.patch(path, body, format="json", HTTP_X_API_KEY=self.key)

        def delete(self, path: str) -> Any:
            return api.delete(path, HTTP_X_API_KEY=self.key)

    return Person


@pytest.fixture
def line() -> int:
    """Version 2, in force: version 1 with loans above 5,00,000 referred."""
    draft = create_draft(
        changes={"refer_above_amount": str(LINE)}, based_on=None, created_by="rita"
    )
    activate(draft.pk, activated_by="ram")
    return int(draft.pk)


@pytest.fixture
def customer() -> Customer:
    """A thin file (score 40: the 12% floor) with room for one loan of 6 lakh, not two."""
    return CustomerFactory.create(
        monthly_salary=Decimal("100000"), approved_limit=Decimal("1000000")
    )
