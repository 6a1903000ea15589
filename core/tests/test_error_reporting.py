"""Sentry, with a transport that keeps the envelopes in the process: what would be sent for an
unhandled error and a failed task, scrubbed of names, phone numbers, salaries and keys."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sentry_sdk
from celery import Celery
from django.test import override_settings
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from core.error_reporting import report_errors_if_configured, scrubbed

ROOT = Path(__file__).resolve().parents[2]
KEY = "sentry-test-client-key-0123456789"
DSN = "https://public@sentry.example.invalid/1"
PERSON = {
    "first_name": "Zenobia",
    "last_name": "Quillfeather",
    "age": 30,
    "monthly_income": 7351946,
    "phone_number": 9123456780,
}


class KeptInProcess(Transport):
    """What the SDK would send, as the JSON payloads of its envelopes' events."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[bytes] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.sent += [item.payload.get_bytes() for item in envelope.items if item.type == "event"]

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(payload) for payload in self.sent]


@pytest.fixture
def sentry():
    transport = KeptInProcess()
    with override_settings(SENTRY_DSN=DSN, SENTRY_ENVIRONMENT="test", API_KEYS=[KEY]):
        assert report_errors_if_configured(transport) is True
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)  # back to the client that records nothing


def test_without_a_dsn_nothing_is_started():
    assert report_errors_if_configured(KeptInProcess()) is False
    assert sentry_sdk.get_client().is_active() is False


@pytest.mark.django_db
def test_an_unhandled_error_is_reported_without_the_person_or_the_key(api, sentry, monkeypatch):
    def fail(**fields: Any) -> None:
        raise RuntimeError(f"could not register {fields['phone_number']} for {KEY}")

    monkeypatch.setattr("customers.api.register_customer", fail)
    with override_settings(API_KEYS=[KEY]):
        answer = api.post("/register", PERSON, format="json", HTTP_X_API_KEY=KEY)
    assert answer.status_code == 500
    sentry_sdk.flush()
    [event] = sentry.events()
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert (
        event["exception"]["values"][-1]["value"] == "could not register [Filtered] for [Filtered]"
    )
    # No headers, cookies or address without send_default_pii; the body by field name.
    assert event["request"] == {
        "data": {
            "first_name": "[Filtered]",
            "last_name": "[Filtered]",
            "age": 30,
            "monthly_income": "[Filtered]",
            "phone_number": "[Filtered]",
        }
    }
    assert (event["environment"], event["release"]) == ("test", "1.0.0")
    sent = b"".join(sentry.sent).decode()
    for secret in ("Zenobia", "Quillfeather", "9123456780", "7351946", KEY):
        assert secret not in sent


def test_a_failed_task_is_reported_without_its_arguments(sentry):
    app = Celery("sentry-test", broker="memory://", set_as_current=False, fixups=[])

    @app.task(name="refuse", shared=False)
    def refuse(phone_number: int, salary: int) -> None:
        raise ValueError(f"no customer with phone {phone_number}")

    # Taken from PERSON, far above: the event's source lines must not hold them either.
    refuse.apply(args=(PERSON["phone_number"], PERSON["monthly_income"]))
    sentry_sdk.flush()
    [event] = sentry.events()
    assert event["exception"]["values"][-1]["value"] == "no customer with phone [Filtered]"
    assert event["extra"]["celery-job"]["task_name"] == "refuse"
    assert event["extra"]["celery-job"]["args"] == "[Filtered]"
    assert event["extra"]["celery-job"]["kwargs"] == "[Filtered]"
    sent = b"".join(sentry.sent).decode()
    assert "9123456780" not in sent
    assert "7351946" not in sent


def test_the_last_look_masks_every_text_and_drops_a_body_it_cannot_read():
    event = {
        "message": "phone 9123456780",
        "logentry": {"message": "Unhandled error in %s", "formatted": f"{KEY} refused"},
        "request": {"data": "first_name=Zenobia&phone_number=9123456780"},
        "breadcrumbs": {"values": [{"message": "called 9123456780"}, {"category": "query"}]},
        "exception": {"values": [{"type": "KeyError", "value": "12345678901 is not a phone"}]},
    }
    assert scrubbed(event, {}, secrets=[KEY]) == {
        "message": "phone [Filtered]",
        "logentry": {"message": "Unhandled error in %s", "formatted": "[Filtered] refused"},
        "request": {"data": "[Filtered]"},
        "breadcrumbs": {"values": [{"message": "called [Filtered]"}, {"category": "query"}]},
        "exception": {"values": [{"type": "KeyError", "value": "12345678901 is not a phone"}]},
    }


@pytest.mark.parametrize(("dsn", "started"), [(DSN, "True"), ("", "False")])
def test_a_process_starts_reporting_only_with_a_dsn(dsn, started):
    probe = "import django, sentry_sdk; django.setup(); print(sentry_sdk.get_client().is_active())"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", "SENTRY_DSN": dsn}
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == started, result.stderr
