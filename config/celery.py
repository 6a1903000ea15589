"""Celery application: configured from Django settings (CELERY_* names), logging as Django's
LOGGING says, and every task carrying the request id of the request that started it."""

import os
from typing import Any

from celery import Celery
from celery.signals import setup_logging

import core.task_context  # noqa: F401  (connects the signals that carry the request id)
from core.health import register_worker_ping

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("credit")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# /health asks whether some worker answers a broadcast ping (the first reply will do).
PING_TIMEOUT_SECONDS = 0.5
register_worker_ping(lambda: bool(app.control.ping(timeout=PING_TIMEOUT_SECONDS, limit=1)))


@setup_logging.connect
def keep_djangos_logging(**_: Any) -> None:
    """A receiver here stops the worker from replacing the root logger's handlers with its
    own (local time, its own format): the worker writes the lines the web server writes."""
