# The two commands a newcomer needs: `make run` and `make test`. Only python3 is assumed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export PYTHONDONTWRITEBYTECODE := 1

.DEFAULT_GOAL := help
.PHONY: help run demo serve worker beat ingest test lint pytest migrate lock clean bench image-test \
	bench-ingest bench-simulate bench-log bench-console screenshots

help:
	@echo "make run    set up .venv, migrate, serve the API and the console on http://$(HOST):$(PORT) (SQLite by default)"
	@echo "make demo   make run with sample data and demo users for the console (SQLite only)"
	@echo "make serve  production server: migrate, then gunicorn on $(HOST):$(PORT) (see docs/deployment.md)"
	@echo "make test   lint, type checks, migrations check and the whole test suite with coverage"
	@echo "make image-test  build the Docker image with podman and run it end to end (docs/deployment.md)"
	@echo "make bench  HTTP benchmark against the floor (PostgreSQL + Redis; docs/benchmarks.md)"
	@echo "make ingest CUSTOMERS=… LOANS=…  ingest spreadsheets in the foreground (docs/ingestion.md)"

# The lock files (make lock); a test of the rules below points them at stand-ins.
BASE_REQUIREMENTS ?= requirements/base.txt
DEV_REQUIREMENTS ?= requirements/dev.txt

# `make run` and `make worker` typed at once on a fresh clone would both create .venv and both
# install into it. So each of these rules takes a lock (an flock on .venv.lock, through python3,
# the one tool assumed), then a make inside the lock decides afresh what is left to do: the
# second finds the first one's work done.
WITH_VENV_LOCK = $(PYTHON) -c 'import fcntl, subprocess, sys; lock = open(sys.argv[1], "w"); \
	fcntl.flock(lock, fcntl.LOCK_EX); sys.exit(subprocess.call(sys.argv[2:]))' $(VENV).lock

ifndef VENV_LOCKED
$(BIN)/python $(VENV)/.installed-base $(VENV)/.installed-dev:
	@$(WITH_VENV_LOCK) $(MAKE) --no-print-directory --silent VENV_LOCKED=1 $@
else
$(BIN)/python:
	@$(PYTHON) requirements/check_python.py
	@echo "Creating $(VENV)"
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-base:
	@echo "Installing $(BASE_REQUIREMENTS)"
	@$(BIN)/python -m pip install --quiet -r $(BASE_REQUIREMENTS)
	@$(BIN)/python -m pip check --quiet
	@touch $@

$(VENV)/.installed-dev:
	@echo "Installing $(BASE_REQUIREMENTS) and $(DEV_REQUIREMENTS)"
	@$(BIN)/python -m pip install --quiet -r $(BASE_REQUIREMENTS) -r $(DEV_REQUIREMENTS)
	@$(BIN)/python -m pip check --quiet
	@touch $@ $(VENV)/.installed-base
endif
$(VENV)/.installed-base: $(BASE_REQUIREMENTS) | $(BIN)/python
$(VENV)/.installed-dev: $(BASE_REQUIREMENTS) $(DEV_REQUIREMENTS) | $(BIN)/python

migrate: $(VENV)/.installed-base
	$(BIN)/python manage.py migrate --noinput

CONSOLE_ADDRESS = "The console: http://$(HOST):$(PORT)/console/ (make demo for sample data and demo users;\n  manage.py create_staff_user NAME --role officer|risk|operations|admin for real ones)"

run: migrate
	@printf '%b\n' $(CONSOLE_ADDRESS)
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The embedded default only: console_demo refuses with DEBUG off or on another database. Its own
# SQLite file, so that the sample book never mixes with what `make run` holds (db.sqlite3).
demo: export DATABASE_URL := $(or $(DATABASE_URL),sqlite:///$(CURDIR)/demo.sqlite3)
demo: migrate
	$(BIN)/python manage.py console_demo
	@printf '%b\n' $(CONSOLE_ADDRESS)
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Production: config.settings.production refuses to start without SECRET_KEY and ALLOWED_HOSTS;
# it is closed until an API key exists (ALLOW_ANONYMOUS=true opens it). WEB_CONCURRENCY workers.
serve: export DJANGO_SETTINGS_MODULE := config.settings.production
serve: export PROMETHEUS_MULTIPROC_DIR ?= /tmp/credit-metrics-$(PORT)
# Silent recipes: what the server prints is its own JSON lines only (migrate's report too).
serve: $(VENV)/.installed-base
	@$(BIN)/python manage.py migrate --noinput
	@$(BIN)/python manage.py collectstatic --noinput -v0
	@HOST=$(HOST) PORT=$(PORT) exec $(BIN)/gunicorn --config config/gunicorn.py config.wsgi

# The Celery worker for background tasks; needs REDIS_URL (without it tasks run in-process).
# Production processes like `make serve`, with its settings (JSON lines, the refusal to start
# insecurely) unless DJANGO_SETTINGS_MODULE names others (config.settings.local beside `make
# run` with REDIS_URL), and without Celery's banner.
worker beat: export DJANGO_SETTINGS_MODULE := $(or $(DJANGO_SETTINGS_MODULE),config.settings.production)
WORKER_CONCURRENCY ?= 1
# WORKER_NAME=alpha@%h names the node: two workers on one host need two names.
# Health checks on unless set to a value: `?=` would keep an empty DATABASE_HEALTH_CHECKS= (as in
# .env.example), which the settings read as false.
worker: export DATABASE_HEALTH_CHECKS := $(or $(DATABASE_HEALTH_CHECKS),true)
worker: $(VENV)/.installed-base
	@exec $(BIN)/celery -A config --quiet worker --concurrency=$(WORKER_CONCURRENCY) $(if $(WORKER_NAME),--hostname $(WORKER_NAME))

# Celery beat: the periodic housekeeping (config/settings/base.py CELERY_BEAT_SCHEDULE). One per
# deployment is enough; two at once only repeat harmless work. Its schedule file's folder is
# made first (var/ is not in a fresh clone).
CELERY_BEAT_FILE ?= var/celerybeat-schedule
beat: $(VENV)/.installed-base
	@mkdir -p $(dir $(CELERY_BEAT_FILE))
	@exec $(BIN)/celery -A config --quiet beat --schedule $(CELERY_BEAT_FILE)

# Ingest the two spreadsheets in the foreground: the original files in ../shared/data when
# present, else generated ones in var/sample.
SHARED_DATA ?= ../shared/data
SAMPLE := $(if $(wildcard $(SHARED_DATA)/customer_data.xlsx),$(SHARED_DATA),var/sample)
CUSTOMERS ?= $(SAMPLE)/customer_data.xlsx
LOANS ?= $(SAMPLE)/loan_data.xlsx
ingest: migrate
	@test -f $(CUSTOMERS) || $(BIN)/python manage.py generate_sample_data --xlsx var/sample
	$(BIN)/python manage.py ingest_data --customers $(CUSTOMERS) --loans $(LOANS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

# axe-core for the console's browser tests, from npm at the version the lock pins, into the
# git-ignored console/tests/axe/node_modules. Without npm the accessibility test skips (CI installs
# it: .ci/run).
AXE = console/tests/axe
$(AXE)/node_modules/.installed: $(AXE)/package.json $(AXE)/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix $(AXE) --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the console's accessibility test will skip (apt-get install -y npm)"; fi

# Every test, PYTEST_WORKERS at a time (pytest-xdist; auto: one per core). A test file runs on one
# worker, so its module fixtures (a live server, a browser, a database of its own) start once.
PYTEST_WORKERS ?= auto
pytest: $(VENV)/.installed-dev $(AXE)/node_modules/.installed
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --cov --cov-branch --cov-report=term $(PYTEST_ARGS)
	@# pytest-cov fails the run below pyproject's fail_under; this only prints the total.
	@echo "branch coverage: $$($(BIN)/coverage report --format=total --fail-under=0)%"

# Lint and the tests side by side (they share the two cores; each one's output is printed
# whole when it ends): make test fails if either does.
test: $(VENV)/.installed-dev
	@$(MAKE) --no-print-directory -j2 --output-sync=target lint pytest

# The Docker image end to end (docs/deployment.md): built with podman from the Dockerfile as
# shipped (.ci/build-image; on a base made from Debian unless BASE_IMAGE names one), then its
# web, worker and beat run as docker-compose.yml says, on this machine's PostgreSQL and Redis
# (tests/test_image.py). Needs podman and root; .ci/run runs it.
image-test: $(VENV)/.installed-dev
	@bash .ci/build-image >/dev/null
	IMAGE_TEST=1 $(BIN)/pytest -p no:cacheprovider tests/test_image.py

# Re-pin every dependency after editing requirements/*.in: one lock for every Python that
# pyproject.toml's requires-python allows (--universal writes the markers where they differ,
# e.g. async-timeout before 3.11.3). The pins already there are kept unless an .in asks more.
LOWEST_PYTHON = $(shell sed -n 's/^requires-python = ">=\([0-9.]*\),.*/\1/p' pyproject.toml)
LOCK = $(BIN)/uv pip compile --quiet --universal --python-version $(LOWEST_PYTHON) --no-header
lock: $(VENV)/.installed-dev
	cd requirements && ../$(LOCK) base.in -o base.txt
	cd requirements && ../$(LOCK) dev.in -o dev.txt

# HTTP benchmark: make serve (2 workers) on PostgreSQL (database credit_bench) against bare
# Django views on the same gunicorn config (the empty view, and each hot endpoint's own SQL);
# writes docs/benchmarks.md. Not part of make test.
bench: $(VENV)/.installed-base
	$(BIN)/python -m bench.run

# Ingestion benchmark (bench/ingest.py): 100,000 customers and 1,000,000 loans through POST /ingest
# and one Celery worker; writes the "Ingestion" section of docs/benchmarks.md. Takes minutes.
bench-ingest: $(VENV)/.installed-dev
	$(BIN)/python -m bench.ingest

# Policy simulation benchmark (bench/simulate.py): a candidate version over 1,000,000 recorded
# decisions (BENCH_DECISIONS) through one Celery worker, then two (BENCH_WORKERS=1,2); writes
# its size's block of "Policy simulation" in docs/benchmarks.md.
bench-simulate: $(VENV)/.installed-dev
	$(BIN)/python -m bench.simulate

# What one JSON log line costs (bench/logformat.py): µs per record, for docs/benchmarks.md.
bench-log: $(VENV)/.installed-base
	$(BIN)/python -m bench.logformat

# The console's page times on 100,000 customers and 1,000,000 loans (bench/console.py; loads the
# data with bench-ingest's generator first when BENCH_DB is empty); writes the "Console pages"
# section of docs/benchmarks.md. PostgreSQL only; not part of make test.
bench-console: $(VENV)/.installed-dev
	$(BIN)/python -m bench.console

# The console's pages as PNGs in docs/console/ (docs/console.md), from a live console in
# Debian's chromium (apt-get install -y chromium; no browser is downloaded).
screenshots: $(VENV)/.installed-dev
	$(BIN)/python -m console.tests.screenshots

clean:
	rm -rf $(VENV) $(VENV).lock .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov
