"""`make serve` and the Docker image: DEBUG off by default, JSON logs, and start-up refuses an
unsafe setup (see config/settings/checks.py)."""

from config.settings.base import *  # noqa: F403
from config.settings.checks import refuse_insecure
from config.settings.env import env_bool

LOGGING["formatters"]["json"] = {"()": "core.logging.JsonFormatter"}  # type: ignore[index]  # noqa: F405
LOGGING["handlers"]["console"]["formatter"] = "json"  # type: ignore[index]  # noqa: F405
# The request middleware already logs every 4xx; django.request keeps the 5xx tracebacks.
LOGGING["loggers"] = {"django.request": {"level": "ERROR"}}  # noqa: F405

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

if not DEBUG:  # noqa: F405
    refuse_insecure(
        secret_key=SECRET_KEY,  # noqa: F405
        allowed_hosts=ALLOWED_HOSTS,  # noqa: F405
        api_keys=API_KEYS,  # noqa: F405
        allow_anonymous=ALLOW_ANONYMOUS,  # noqa: F405
    )
