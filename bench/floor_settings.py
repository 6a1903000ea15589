"""The floor for `make bench`: bare Django views, no apps, no middleware (bench/floor_urls.py).

Served by the same gunicorn config (config/gunicorn.py) and worker count as the service, so the
difference between the two is what the service adds on top of Django, gunicorn and its own SQL.
With DATABASE_URL, the work's floor views reach PostgreSQL through a connection configured by
the project's own function (persistent, server-side binding); without it only /floor answers.
"""

import os

from config.settings.base import database_from_url

SECRET_KEY = "bench-floor-not-a-secret-and-serves-nothing-but-a-constant-json-body"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.floor_urls"
DATABASES = (
    {"default": database_from_url(os.environ["DATABASE_URL"])}
    if os.environ.get("DATABASE_URL")
    else {}
)
USE_TZ = True
USE_I18N = False
LOGGING_CONFIG = None
