"""The floor for `make bench`: a bare Django JSON view, no apps, no middleware, no database.

Served by the same gunicorn config (config/gunicorn.py) and worker count as the service, so the
difference between the two is what the service adds on top of Django and gunicorn.
"""

SECRET_KEY = "bench-floor-not-a-secret-and-serves-nothing-but-a-constant-json-body"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.floor_urls"
DATABASES: dict[str, dict[str, str]] = {}
USE_TZ = True
USE_I18N = False
LOGGING_CONFIG = None
