"""config/gunicorn.py: what the production server runs with."""

import runpy
from pathlib import Path

from gunicorn.config import Config

CONFIG = runpy.run_path(str(Path(__file__).resolve().parents[1] / "config" / "gunicorn.py"))


def test_gunicorn_builds_no_access_log_line_the_request_log_already_writes(monkeypatch):
    config = Config()
    config.set("logconfig_dict", CONFIG["logconfig_dict"])
    logger = CONFIG["logger_class"](config)

    def atoms(*args):
        raise AssertionError("access log atoms built")

    monkeypatch.setattr(logger, "atoms", atoms)
    assert logger.access(None, None, {}, None) is None


def test_threads_keep_connections_alive():
    assert (CONFIG["worker_class"], CONFIG["threads"], CONFIG["keepalive"]) == ("gthread", 4, 5)
