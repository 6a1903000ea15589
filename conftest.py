"""Shared fixtures. Tests that need PostgreSQL or Redis skip with a reason on a laptop without
them; with REQUIRE_SERVICES=1 (set by .ci/run) a missing service fails the test instead."""

import os
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from core import clock
from core.money import to_paise

# Every test runs on a pinned "today" unless it moves it with `set_today`.
TODAY = date(2026, 6, 15)


def require_or_skip(reason: str) -> None:
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1 turns this skip into a failure)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _services_for_markers(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        require_or_skip("needs PostgreSQL: set DATABASE_URL=postgres://...")
    if request.node.get_closest_marker("redis") and not os.environ.get("REDIS_URL"):
        require_or_skip("needs Redis: set REDIS_URL=redis://...")


@pytest.fixture(autouse=True)
def set_today(monkeypatch: pytest.MonkeyPatch) -> Callable[[date], None]:
    current = {"today": TODAY}
    monkeypatch.setattr(clock, "today", lambda: current["today"])

    def move_to(day: date) -> None:
        current["today"] = day

    return move_to


DECISION_PATHS = ("/check-eligibility", "/create-loan")


class AuditedClient(APIClient):
    """Remembers every credit decision the API answered, so each test can prove afterwards that
    the audit trail holds it with the same outcome and reasons."""

    def __init__(self) -> None:
        super().__init__()
        self.decisions: list[dict[str, Any]] = []

    def request(self, **kwargs: Any) -> Any:
        response = super().request(**kwargs)
        path = str(kwargs.get("PATH_INFO", "")).rstrip("/")
        if path in DECISION_PATHS and response.status_code in (200, 201):
            self.decisions.append(response.json())
        return response


def assert_in_audit_trail(answered: dict[str, Any]) -> None:
    from loans.models import CreditDecision

    record = CreditDecision.objects.get(pk=answered["decision_id"])
    assert record.customer_id == answered["customer_id"]
    assert record.monthly_installment == Decimal(str(answered["monthly_installment"]))
    if "reasons" in answered:  # check-eligibility
        assert record.approved is answered["approval"]
        assert record.reasons == answered["reasons"]
        assert record.credit_score == answered["credit_score"]
        assert record.corrected_interest_rate == Decimal(str(answered["corrected_interest_rate"]))
        assert {
            factor: to_paise(Decimal(points)) for factor, points in record.score_breakdown.items()
        } == {
            factor: Decimal(str(points)) for factor, points in answered["score_breakdown"].items()
        }
    else:  # create-loan
        assert record.approved is answered["loan_approved"]
        assert record.loan_id == answered["loan_id"]
        for reason in record.reasons:
            assert reason["message"] in answered["message"]


@pytest.fixture
def api() -> Iterator[AuditedClient]:
    client = AuditedClient()
    yield client
    for answered in client.decisions:
        assert_in_audit_trail(answered)
