"""One request, one id: on every log record written while serving it, and on every record of the
Celery tasks it starts (core.logging.REQUEST_ID, core.task_context)."""

import logging
import time

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker

from core.logging import REQUEST_ID

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


@pytest.mark.django_db
def test_every_record_written_while_serving_carries_the_request_id(api, settings, json_lines):
    settings.REDIS_URL = UNREACHABLE_REDIS  # /health logs a warning while it answers
    api.get("/health", HTTP_X_REQUEST_ID="trace-7")
    logging.getLogger("after").warning("the request is over")
    lines = [(line["logger"], line.get("request_id")) for line in json_lines()]
    assert lines == [("core.health", "trace-7"), ("core.request", "trace-7"), ("after", None)]


@pytest.mark.django_db
def test_a_generated_request_id_is_the_one_on_the_records(api, settings, json_lines):
    settings.REDIS_URL = UNREACHABLE_REDIS
    request_id = api.get("/health")["X-Request-ID"]
    assert [line["request_id"] for line in json_lines()] == [request_id, request_id]


@pytest.fixture
def broker():
    """A Celery app of its own on the in-memory transport, with one task that logs a line: the
    signals core.task_context connects serve every app and every task. Without the Django
    fix-up, whose worker start would run django.setup() and so reset the test's logging."""
    app = Celery("request-id-test", broker="memory://", set_as_current=False, fixups=[])
    app.conf.task_default_queue = "request-id-test"

    @app.task(name="log_a_line", shared=False)
    def log_a_line(text: str) -> None:
        logging.getLogger("task").warning(text)

    return app, log_a_line


def run_the_queue(app: Celery, tasks: int, json_lines) -> list[tuple[str, str | None]]:
    """A worker thread runs what was published: the tasks' own lines, in order."""
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            lines = [line for line in json_lines() if line["logger"] == "task"]
            if len(lines) == tasks:
                break
            time.sleep(0.05)
    return [(line["message"], line.get("request_id")) for line in lines]


def test_a_task_a_request_starts_logs_with_the_request_id(broker, json_lines):
    app, log_a_line = broker
    token = REQUEST_ID.set("upload-42")
    try:
        log_a_line.delay("from the request")
    finally:
        REQUEST_ID.reset(token)
    log_a_line.delay("from nowhere")
    assert run_the_queue(app, 2, json_lines) == [
        ("from the request", "upload-42"),
        ("from nowhere", None),
    ]


def test_an_eager_task_keeps_the_request_id_and_leaves_it_in_place(broker, json_lines):
    _, log_a_line = broker
    token = REQUEST_ID.set("in-process-9")
    try:
        log_a_line.apply(args=("eager",))
        assert REQUEST_ID.get() == "in-process-9"
    finally:
        REQUEST_ID.reset(token)
    lines = json_lines()
    assert [line["message"] for line in lines if line["logger"] == "task"] == ["eager"]
    # Celery's own line for the task ("Task log_a_line[…] succeeded in …") too.
    assert [line["request_id"] for line in lines] == ["in-process-9", "in-process-9"]
