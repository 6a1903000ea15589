"""pytest: the local profile with fast hashing; DATABASE_URL and REDIS_URL pick the servers."""

from config.settings.local import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING["root"]["level"] = "WARNING"  # type: ignore[index]  # noqa: F405
# Tests set what they need themselves; none of the API's switches leak in from the
# developer's environment.
API_KEYS = []
API_THROTTLE_RATE = None
ALLOW_ANONYMOUS = False
METRICS_PUBLIC = False
HEALTH_DETAILS_PUBLIC = False
SENTRY_DSN = ""
IDEMPOTENCY_TTL_HOURS = 24
IDEMPOTENCY_WAIT_SECONDS = 10
# Off, as under `make run`: activation is immediate and no loan is referred; the tests of four
# eyes turn it on with pytest-django's `settings` fixture.
FOUR_EYES = False
# pytest runs with DEBUG off: static files come from the apps' folders, as under `make run`.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
