"""What a server says once when it starts: whether the API is open (core.auth.warn_if_open) and
how sign-ins lock out. `make run`'s server loads config/wsgi.py once; gunicorn loads it in every
worker, so its post_fork hook (config/gunicorn.py) leaves them to the first worker. Imported
once the apps are loaded."""

import logging

from django.conf import settings

import core.logging
from core.auth import warn_if_open

logger = logging.getLogger(__name__)


def start_up_lines() -> None:
    if not core.logging.say_start_up_lines:
        return
    warn_if_open()
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    logger.info(
        "Sign-in lockout (the admin, the console): %s failures in a row lock the username and "
        "the address for %s minutes",
        settings.AXES_FAILURE_LIMIT,
        minutes,
    )
