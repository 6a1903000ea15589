"""Settings shared by every profile. Everything deployment-specific comes from the environment."""

import tomllib
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from config.settings.checks import refuse_replica_without_redis, throttle_rate
from config.settings.env import env_bool, env_int, env_list, env_str
from core.limits import LARGEST_ID

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# One version for /health and the OpenAPI schema: the one pyproject.toml declares.
VERSION: str = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["project"]["version"]

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "core",
    "customers",
    "loans",
    "policies",
    "decisions",
    "ingestion",
    "approvals",
    "people",
    "console",
]

MIDDLEWARE = [
    # First, so the request log line and metrics see every response, errors included.
    "core.middleware.RequestLogMiddleware",
    # An unreachable database is a 503 with Retry-After on every path (core.errors).
    "core.middleware.OutageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every answer (below).
    "core.middleware.SitePolicyCSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # The console's and the admin's CSS, JS and fonts, with DEBUG off too (collectstatic).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Sessions, users and messages serve the people's paths only (core.middleware.StaffOnly).
    "core.middleware.StaffSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "core.middleware.StaffAuthenticationMiddleware",
    "core.middleware.StaffMessageMiddleware",
    "console.middleware.ConsoleHtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it answers a locked-out sign-in (on the people's paths).
    "core.middleware.StaffAxesMiddleware",
]

# The paths people use in a browser, with a session: everything else is the API, which knows a
# client by its key and pays for no session, user or message lookup (core.middleware).
STAFF_PATHS = ("/admin/", "/console/")
# Their page for an outage (a 503, core.errors.outage_response): it must not need the database.
STAFF_OUTAGE_VIEW = "console.views.errors.service_unavailable"

# Sign-in (the admin, the console): django-axes locks a username at an address, and an address
# for every username, after LOGIN_FAILURE_LIMIT failures in a row there, for
# LOGIN_LOCKOUT_MINUTES (docs/deployment.md). Never a username alone: an attacker elsewhere
# would lock its owner out.
# axes looks for its own middleware by name; core.middleware.StaffAxesMiddleware is it, for the
# people's paths only.
SILENCED_SYSTEM_CHECKS = ["axes.W002"]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
# The client address as the throttle sees it: X-Forwarded-For only through NUM_PROXIES proxies.
AXES_CLIENT_IP_CALLABLE = "core.auth.client_address"
# A locked account sees a page that says so and for how long (still a 429).
AXES_LOCKOUT_TEMPLATE = "console/locked_out.html"
# axes would say its banner in every process that loads Django (migrate, runserver's reloader and
# server, each gunicorn worker, celery): the server says the lockout once (config/startup.py).
AXES_VERBOSE = False

# The console's and the admin's people: passwords of 12 characters or more, not a common one.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Every page runs only this origin's scripts, styles, fonts and images, and no inline script or
# style at all (no 'unsafe-inline', no 'unsafe-eval': the console's templates carry none, htmx
# evaluates none); forms post here, nothing frames a page. Swagger UI (/api/docs) adds data:
# images for its icons (core/api.py). docs/deployment.md#content-security-policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
# No page uses the browser's devices or sensors: nothing on them (or in a frame) may ask.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "clipboard-read",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

LOGIN_URL = "console:sign-in"
LOGIN_REDIRECT_URL = "console:dashboard"
# A working day; the cookies never reach JavaScript (htmx sends the CSRF token from the page).
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "console.views.errors.csrf_failure"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "console.context.console",
            ],
        },
    },
]

DEFAULT_SQLITE_URL = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"


def database_from_url(url: str) -> dict[str, object]:
    """One database from DATABASE_URL; SQLite gets the options that make concurrent writes safe."""
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        # IMMEDIATE takes the write lock at BEGIN, so two decisions for one customer
        # serialise instead of both reading the old state (SQLite has no row locks).
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    else:
        # Off for the web: a `SELECT 1` round trip before every request's first query
        # (docs/benchmarks.md). A connection that died with the database fails one request with
        # a 503 (core.errors) and Django replaces it after that request. On for the Celery
        # worker (make worker, compose), where a task that fails is dearer than a round trip.
        config["CONN_HEALTH_CHECKS"] = env_bool("DATABASE_HEALTH_CHECKS", False)
        # Parameters travel apart from the SQL: psycopg need not quote them into it (7% of a
        # worker's CPU under check-eligibility), and it prepares statements a connection runs
        # repeatedly. Not behind PgBouncer in transaction mode before 1.21 (docs/deployment.md).
        config["OPTIONS"] = {"server_side_binding": True}
    return config


DATABASES = {"default": database_from_url(env_str("DATABASE_URL") or DEFAULT_SQLITE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")

# A read replica for the endpoints that only read (core/replica.py, docs/scaling.md); off unless
# set. A client that wrote reads the primary for DATABASE_REPLICA_STICKY_SECONDS, noted in Redis.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
DATABASE_REPLICA_STICKY_SECONDS = env_int("DATABASE_REPLICA_STICKY_SECONDS", 10)
if DATABASE_REPLICA_URL:
    refuse_replica_without_redis(REDIS_URL)
    DATABASES["replica"] = {
        **database_from_url(DATABASE_REPLICA_URL),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
    MIDDLEWARE.insert(1, "core.replica.ReplicaReadsMiddleware")

# Clients: with API_KEYS set, every API endpoint but /health (and /metrics with METRICS_PUBLIC)
# needs an X-API-Key holding one of them; the admin has its own logins.
API_KEYS = env_list("API_KEYS")
# Seconds a process remembers a key it looked up: a revoked key stops working within them.
API_KEY_CACHE_SECONDS = env_int("API_KEY_CACHE_SECONDS", 5)
ALLOW_ANONYMOUS = env_bool("ALLOW_ANONYMOUS", False)
# Whether a key is needed even while none is configured or stored (production: unless
# ALLOW_ANONYMOUS). Otherwise the API is open until the first key exists (the embedded default).
API_KEYS_REQUIRED = False
# Four eyes (docs/credit-policy.md#four-eyes): a loan above its policy's refer_above_amount and a
# policy's activation wait for a second person whenever the request carries an identity. On by
# default (the production profile); FOUR_EYES=false lets one person do both alone.
FOUR_EYES = env_bool("FOUR_EYES", True)
METRICS_PUBLIC = env_bool("METRICS_PUBLIC", False)
# /health tells anyone its status; its version, checks and counts need a key unless this is set.
HEALTH_DETAILS_PUBLIC = env_bool("HEALTH_DETAILS_PUBLIC", False)
# DRF rate syntax ("600/min"); unset means no limit.
API_THROTTLE_RATE = throttle_rate(env_str("API_THROTTLE_RATE"))
# `local`: what one process remembers for a few seconds (API keys, /health's slower answers) or
# for ever (settled policy versions); never shared, so no process trusts another's memory. Its
# backend is LocMemCache without the pickling (django-lrucache-backend): the values are the
# process's own immutable objects (frozen dataclasses, tuples, text), handed out as they are, so
# a decision reads its policy in 2 µs instead of unpickling it in 40.
LOCAL_CACHE_ENTRIES = 10_000
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "local": {
        "BACKEND": "lrucache_backend.LRUObjectCache",
        "LOCATION": "local",
        "OPTIONS": {"MAX_ENTRIES": LOCAL_CACHE_ENTRIES},
    },
}
# Request limits (docs/deployment.md): a JSON body's size, and Django's own counts of form
# fields, query parameters and files (beyond them: 413 / 400 in the envelope).
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 64 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 1000)
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("DATA_UPLOAD_MAX_NUMBER_FILES", 10)
# /health re-checks the Celery worker and the row counts at most this often, per process.
HEALTH_CACHE_SECONDS = 5

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "Asia/Kolkata")
# The lender's name at the head of the papers a borrower is handed (docs/servicing.md#papers).
LENDER_NAME = env_str("LENDER_NAME", "Credit Service")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
# Hashed names and compressed copies in production (config/settings/production.py), which
# `collectstatic` writes (make serve, the Dockerfile).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["core.json.DecimalJSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.json.JsonFirstNegotiation",
    # JSON only: a form-encoded body is a 415 (POST /ingest declares its own parsers).
    "DEFAULT_PARSER_CLASSES": ["core.json.DecimalJSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["core.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["core.auth.HasApiKey"],
    "DEFAULT_THROTTLE_CLASSES": ["core.throttling.ApiKeyRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "core.schema.ApiSchema",
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
    "COERCE_DECIMAL_TO_STRING": False,
}

# Background work: Celery on Redis when REDIS_URL is set; otherwise tasks run in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "credit"
# A broker that is down answers a request's hand-over within about a second (the job then
# waits, queued, for the sweep below), instead of holding the request for Celery's defaults.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# Celery beat (make beat, compose's beat service): the sweep that hands jobs nobody holds to
# the broker again (core/jobs.py), every JOB_SWEEP_SECONDS; expired Idempotency-Keys, daily;
# upload folders no job holds, hourly. Each is harmless run twice or on two nodes at once.
CELERY_BEAT_SCHEDULE = {
    "requeue-forgotten-jobs": {
        "task": "core.tasks.requeue_forgotten_jobs",
        "schedule": env_int("JOB_SWEEP_SECONDS", 60),
    },
    "purge-expired-idempotency-keys": {
        "task": "core.tasks.purge_expired_idempotency_keys",
        "schedule": 24 * 3600,
    },
    "sweep-orphaned-uploads": {"task": "ingestion.tasks.sweep_uploads", "schedule": 3600},
}
# Redis redelivers an unacknowledged task (a killed worker's) after this many seconds. Short,
# so a killed worker's job resumes within two minutes: a delivery while the job's run is still
# alive only waits out its lease (core/jobs.py), so a short timeout never runs a job twice.
# A Redis that accepts connections but answers nothing (stopped, hung, half-open) costs a
# hand-over at most a few seconds (3 attempts, each 2 s at most) instead of holding the request
# for ever; 2 s is more than the worker's own 1 s wait for a task (kombu's brpop_timeout).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 90),
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
}

# Ingestion (docs/ingestion.md): where uploads wait for the worker, rows per write transaction,
# the spreadsheet reader.
INGEST_DIR = Path(env_str("INGEST_DIR") or BASE_DIR / "var" / "ingest")
INGEST_BATCH_ROWS = env_int("INGEST_BATCH_ROWS", 20000)
INGEST_READER = env_str("INGEST_READER", "calamine")
# What an upload may be (docs/ingestion.md): its size (beyond: 413), and what a workbook may
# hold once opened (ingestion/bounds.py; beyond: the job fails, naming the limit).
INGEST_MAX_UPLOAD_MB = env_int("INGEST_MAX_UPLOAD_MB", 200)
INGEST_MAX_UNCOMPRESSED_MB = env_int("INGEST_MAX_UNCOMPRESSED_MB", 1500)
INGEST_MAX_ROWS = env_int("INGEST_MAX_ROWS", 2_000_000)
INGEST_MAX_COLUMNS = env_int("INGEST_MAX_COLUMNS", 64)
INGEST_MAX_CELL_CHARS = env_int("INGEST_MAX_CELL_CHARS", 32_767)
# The reader's child process (ingestion.sandbox): its address space, its processor time, and how
# long the worker waits for it (docs/ingestion.md).
INGEST_READER_MEMORY_MB = env_int("INGEST_READER_MEMORY_MB", 3072)
INGEST_READER_CPU_SECONDS = env_int("INGEST_READER_CPU_SECONDS", 600)
INGEST_READER_SECONDS = env_int("INGEST_READER_SECONDS", 900)
# Background jobs (core/jobs.py): how long a silent run keeps its claim, and how many runs may
# die on one job before it is failed instead of started again.
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 60)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3)
# Decisions in one chunk of a policy simulation: read, decided and committed together by one
# worker (its memory stays flat); and the runners handed to the broker per simulation, i.e. at
# most how many workers share one (docs/scaling.md, "Simulations across workers").
SIMULATION_CHUNK = env_int("SIMULATION_CHUNK", 5000)
SIMULATION_RUNNERS = env_int("SIMULATION_RUNNERS", 4)

# Idempotency-Key (docs/idempotency.md): hours a keyed response is kept and replayed, and the
# seconds a retry waits for the first request with its key to finish before answering 409.
IDEMPOTENCY_TTL_HOURS = env_int("IDEMPOTENCY_TTL_HOURS", 24)
IDEMPOTENCY_WAIT_SECONDS = env_int("IDEMPOTENCY_WAIT_SECONDS", 10)

SPECTACULAR_SETTINGS = {
    "TITLE": "Credit approval service",
    "DESCRIPTION": (
        "Customer registration, loan eligibility decisions, loan booking and loan history. "
        'Errors always use the envelope {"error": {"code", "message", "fields"}}.'
    ),
    "VERSION": VERSION,
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's files from drf-spectacular-sidecar, served by this service: never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    # No validator badge: Swagger UI would load it from validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # 3.1: its schemas are JSON Schema 2020-12, which pydantic writes (nullable as a null type,
    # numeric exclusive bounds).
    "OAS_VERSION": "3.1.0",
    "COMPONENT_SPLIT_REQUEST": True,
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 1, "maximum": LARGEST_ID}},
    "PREPROCESSING_HOOKS": ["core.schema.without_trailing_slash_twins"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.with_error_codes",
        "core.schema.with_required_bodies",
    ],
}

# Error reporting (core/error_reporting.py): Sentry when a DSN is set, scrubbed of personal data.
SENTRY_DSN = env_str("SENTRY_DSN")
SENTRY_ENVIRONMENT = env_str("SENTRY_ENVIRONMENT", "production")

# `migrate` reports through the log (core/management/commands/migrate.py): on in production.
MIGRATE_REPORT_TO_LOG = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        # A logger with no handler at all would reach Python's last resort, which prints.
        "nowhere": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # One line per request, core.request's (core/middleware.py): runserver's own line
    # (django.server) would repeat it, so would django.request's for each 4xx, and Django's
    # DEBUG handler on "django" would print every record a second time.
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": ["nowhere"], "propagate": False},
        "django.request": {"level": "ERROR"},
    },
}
