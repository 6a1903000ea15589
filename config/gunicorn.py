"""gunicorn settings for `make serve` and the Docker image, all from the environment."""

import os
from pathlib import Path
from typing import Any

from gunicorn import glogging

import core.logging
from config.settings.env import env_int, env_str


def default_workers() -> int:
    """gunicorn's own advice, 2 × cores + 1, counting only the cores this process may use."""
    return 2 * len(os.sched_getaffinity(0)) + 1


bind = f"{env_str('HOST', '127.0.0.1')}:{env_str('PORT', '8000')}"
workers = env_int("WEB_CONCURRENCY", default_workers())
# Threads keep connections alive between requests and let one request's database wait overlap
# another's Python work. The sync worker closed every connection and then waited for the
# client's FIN (gunicorn's close_graceful): a third of a worker's time under load in the profile
# (docs/benchmarks.md). Each thread holds its own persistent database connection (CONN_MAX_AGE).
worker_class = "gthread"
threads = 4
keepalive = 5
timeout = 60
graceful_timeout = 30


class NoAccessLog(glogging.Logger):
    """The middleware writes one JSON line per request; gunicorn's access log would repeat it.
    Leaving `accesslog` unset is not enough: with a logconfig_dict gunicorn still builds every
    request's log atoms (~4% of a worker's CPU under load) for a logger with no handler."""

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        return None


accesslog = None
logger_class = NoAccessLog
# Not used, and one fixed socket path per user would clash between servers on one host.
control_socket_disable = True
logconfig_dict: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "core.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "loggers": {"gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}


def on_starting(server: Any) -> None:
    """Start every run with no metric files: a previous run's files would add its numbers."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        for stale in Path(directory).glob("*.db"):
            stale.unlink()


def post_fork(server: Any, worker: Any) -> None:
    """The first worker of a start says the start-up lines (config/startup.py); the others,
    and the workers that replace one later, stay quiet."""
    core.logging.say_start_up_lines = worker.age == 1
