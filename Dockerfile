# syntax=docker/dockerfile:1
# The official Python image; CI, which reaches no registry, passes one it built from Debian
# (.ci/base-image: bookworm's python3 with venv and pip) with --build-arg BASE_IMAGE=….
ARG BASE_IMAGE=python:3.11-slim

# Build: wheels for the locked dependencies, compiled where needed, in a throw-away stage.
FROM ${BASE_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /build
COPY requirements/base.txt requirements/base.txt
RUN python -m venv /venv \
    && /venv/bin/pip install --no-deps -r requirements/base.txt \
    && /venv/bin/pip check

# Run: the virtualenv and the source only, as an unprivileged user.
FROM ${BASE_IMAGE} AS run
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
COPY . .
# The console's and the admin's static files, hashed and compressed for whitenoise, by the
# production settings as they run: with a throw-away secret, which collectstatic never uses and
# the image never keeps (it lives in this one command's environment).
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput -v0
# The uploads folder exists, owned by app, so a volume mounted there starts writable.
RUN mkdir -p /app/var/ingest && chown -R app:app /app/var
USER app
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('PORT', '8000')}/health\", timeout=2)"]
# Migrate, then serve: the same two steps as `make serve`.
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn --config config/gunicorn.py config.wsgi"]
