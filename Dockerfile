# syntax=docker/dockerfile:1
# Build: wheels for the locked dependencies, compiled where needed, in a throw-away stage.
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /build
COPY requirements/base.txt requirements/base.txt
RUN python -m venv /venv \
    && /venv/bin/pip install --no-deps -r requirements/base.txt \
    && /venv/bin/pip check

# Run: the virtualenv and the source only, as an unprivileged user.
FROM python:3.11-slim AS run
ENV PATH=/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus \
    HOST=0.0.0.0 \
    PORT=8000
RUN groupadd --system app && useradd --system --gid app --home-dir /app --no-create-home app
COPY --from=build /venv /venv
WORKDIR /app
COPY --chown=app:app . .
# The console's and the admin's static files, hashed and compressed for whitenoise. DEBUG=true
# only so the production settings need no secret for this step: collectstatic reads none.
RUN DEBUG=true python manage.py collectstatic --noinput -v0
# The uploads folder exists, owned by app, so a volume mounted there starts writable.
RUN mkdir -p /app/var/ingest && chown -R app:app /app/var
USER app
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('PORT', '8000')}/health\", timeout=2)"]
# Migrate, then serve: the same two steps as `make serve`.
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn --config config/gunicorn.py config.wsgi"]
