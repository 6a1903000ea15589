"""`make serve`, `make worker`, `make beat` and the Docker image: DEBUG off by default, JSON
logs, and start-up refuses an unsafe setup (see config/settings/checks.py)."""

import logging

from config.settings.base import *  # noqa: F403
from config.settings.checks import refuse_debug, refuse_insecure
from config.settings.env import env_bool

LOGGING["formatters"]["json"] = {"()": "core.logging.JsonFormatter"}  # type: ignore[index]  # noqa: F405
LOGGING["handlers"]["console"]["formatter"] = "json"  # type: ignore[index]  # noqa: F405
# Python's warnings (a library's deprecation, Celery's as root) are log records too, so they
# come out as JSON lines rather than as text between them.
logging.captureWarnings(True)
MIGRATE_REPORT_TO_LOG = True
# drf-spectacular prints its schema warnings (say an operationId collision) to stderr as text,
# between the JSON lines, on the first /api/schema; they are for development (make run, tests).
SPECTACULAR_SETTINGS["DISABLE_ERRORS_AND_WARNINGS"] = True  # noqa: F405

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}

# Behind a TLS-terminating proxy: redirect to HTTPS, HSTS and cookies only over HTTPS.
# The proxy must set X-Forwarded-Proto (and drop any the client sent).
if env_bool("HTTPS", False):
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^health/?$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31_536_000
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

refuse_debug(debug=DEBUG, allowed=env_bool("ALLOW_DEBUG_IN_PRODUCTION", False))  # noqa: F405
if not DEBUG:  # noqa: F405
    refuse_insecure(
        secret_key=SECRET_KEY,  # noqa: F405
        allowed_hosts=ALLOWED_HOSTS,  # noqa: F405
        api_keys=API_KEYS,  # noqa: F405
    )
    # Closed even before the first key exists: only ALLOW_ANONYMOUS=true opens it.
    API_KEYS_REQUIRED = not ALLOW_ANONYMOUS  # noqa: F405
