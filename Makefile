# CafLab — the workflow. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
UV := .tools/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# `make run PORT=8010` when 8000 is taken.
PORT ?= 8000
export UV_COMPILE_BYTECODE := 1
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON := $(shell command -v $(PYTHON))

# The production-like stack on the local services (see `make services`).
STACK_ENV := DEBUG=0 SECRET_KEY=$${SECRET_KEY:-local-stack-only-secret-key-change-me-0123456789} \
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/caflab} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/1} \
	SITE_URL=$${SITE_URL:-http://127.0.0.1:8000} \
	EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend ALLOW_FILE_EMAIL=1

.PHONY: help install run run-sso test test-faults lint format check-deploy backup restore services stack stack-web stack-worker stack-beat messages clean national bench

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --target .tools uv

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	@touch $@

# The Nu HTML Checker the browser sweep runs (npm's vnu-jar, pinned in package-lock.json; no
# install script runs). Without npm the check is skipped, except on CI.
VNU_JAR := node_modules/vnu-jar/build/dist/vnu.jar

$(VNU_JAR): package.json package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --ignore-scripts --no-audit --no-fund --silent && touch $@; \
	else echo "npm is missing: the HTML validity check (Nu HTML Checker) will be skipped"; fi

install: $(VENV)/.synced $(VNU_JAR) ## Create .venv with every dependency (uv, from uv.lock), and the HTML checker (npm)

run: install ## Serve the site at http://127.0.0.1:8000 (PORT=8010 for another) on the embedded defaults
	DEBUG=1 $(MANAGE) migrate --noinput
	DEBUG=1 $(MANAGE) seed_demo
	DEBUG=1 SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} \
		$(MANAGE) runserver 127.0.0.1:$(PORT)

# The demo's identity provider (tests/oidc_provider.py): agents and citizens sign in there.
SSO_DEMO_ENV := SITE_URL=http://127.0.0.1:8000 \
	SSO_AGENTS_DISCOVERY_URL=http://127.0.0.1:8090/.well-known/openid-configuration \
	SSO_AGENTS_CLIENT_ID=caflab SSO_AGENTS_CLIENT_SECRET=secret-de-demo \
	SSO_CITIZENS_DISCOVERY_URL=http://127.0.0.1:8090/.well-known/openid-configuration \
	SSO_CITIZENS_CLIENT_ID=caflab SSO_CITIZENS_CLIENT_SECRET=secret-de-demo

run-sso: install ## `make run` with single sign-on through a local test provider on port 8090
	DEBUG=1 $(MANAGE) migrate --noinput
	DEBUG=1 $(MANAGE) seed_demo
	$(PY) -m tests.oidc_provider --port 8090 --client-id caflab --client-secret secret-de-demo & \
	trap 'kill 0' EXIT INT TERM; \
	DEBUG=1 $(SSO_DEMO_ENV) $(MANAGE) runserver 127.0.0.1:8000

test: install ## Run the whole test suite (SQLite by default; PostgreSQL when DATABASE_URL is set)
	tests/run_suite.sh $(ARGS)

test-faults: install ## Run the fault suite alone: frozen broker, stopped broker, killed worker, stopped database, slow clients
	$(VENV)/bin/pytest -m faults $(ARGS)

lint: install ## ruff, and models in step with migrations
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(MANAGE) makemigrations --check --dry-run

format: install ## Format the code with ruff
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check-deploy: install ## `check --deploy` with the production profile
	DEBUG=0 SECURE=1 SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | base64 | tr -dc a-zA-Z0-9) \
		SITE_URL=https://caflab.example EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend \
		$(MANAGE) check --deploy --fail-level WARNING

services: ## Start the local PostgreSQL and Redis if they are stopped, create the database
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -n1) main start
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no
	@psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='caflab'" | grep -q 1 || createdb -h 127.0.0.1 -U postgres caflab

stack: install services ## The production-like stack on local services: gunicorn + worker + beat
	$(STACK_ENV) $(MANAGE) migrate --noinput
	$(STACK_ENV) $(MANAGE) collectstatic --noinput --verbosity 0
	@mkdir -p var
	$(STACK_ENV) $(VENV)/bin/celery -A caflab worker --loglevel INFO & \
	$(STACK_ENV) $(VENV)/bin/celery -A caflab beat --loglevel INFO & \
	trap 'kill 0' EXIT INT TERM; \
	$(STACK_ENV) ALLOWED_HOSTS=127.0.0.1,localhost $(VENV)/bin/gunicorn -c gunicorn.conf.py caflab.wsgi

stack-web: install ## Only gunicorn, on the local services
	$(STACK_ENV) $(VENV)/bin/gunicorn -c gunicorn.conf.py caflab.wsgi

stack-worker: install ## Only the Celery worker, on the local services
	$(STACK_ENV) $(VENV)/bin/celery -A caflab worker --loglevel INFO

stack-beat: install ## Only Celery beat, on the local services
	@mkdir -p var
	$(STACK_ENV) $(VENV)/bin/celery -A caflab beat --loglevel INFO

# The benchmark's own database (never the CI's `caflab`): `make national bench`.
NATIONAL_DB ?= postgres://postgres@127.0.0.1:5432/caflab_nat

national: install ## Load the national dataset (30,000 agents, 100,000 answers…) into NATIONAL_DB
	@psql "$(NATIONAL_DB)" -tAc 'SELECT 1' >/dev/null 2>&1 || createdb -h 127.0.0.1 -U postgres $(notdir $(NATIONAL_DB))
	DATABASE_URL=$(NATIONAL_DB) DEBUG=1 $(MANAGE) migrate --noinput
	time DATABASE_URL=$(NATIONAL_DB) DEBUG=1 $(MANAGE) seed_national $(ARGS)

bench: install ## Measure the key pages on the national dataset (gunicorn, DEBUG=0): a Markdown table
	DATABASE_URL=$(NATIONAL_DB) DEBUG=0 SECRET_KEY=bench-only-$$(head -c 24 /dev/urandom | base64 | tr -dc a-zA-Z0-9) \
		SITE_URL=http://127.0.0.1 EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend ALLOW_FILE_EMAIL=1 \
		$(MANAGE) collectstatic --noinput --verbosity 0
	DATABASE_URL=$(NATIONAL_DB) DEBUG=1 SECRET_KEY=bench-only-$$(head -c 24 /dev/urandom | base64 | tr -dc a-zA-Z0-9) \
		$(MANAGE) bench $(ARGS)

backup: install ## A dated archive of the database and the private files in var/backups (BACKUP_DIR=…)
	$(MANAGE) backup --output $${BACKUP_DIR:-var/backups}

restore: install ## Restore ARCHIVE=… into an empty database (DATABASE_URL, or RESTORE_DATABASE_URL=…)
	@test -n "$(ARCHIVE)" || { echo "usage: make restore ARCHIVE=var/backups/caflab-backup-….tar"; exit 2; }
	$(MANAGE) restore "$(ARCHIVE)" $${RESTORE_DATABASE_URL:+--database-url "$$RESTORE_DATABASE_URL"}

clean: ## Remove the environment, the SQLite database and collected files
	rm -rf $(VENV) .tools staticfiles db.sqlite3 var .pytest_cache .ruff_cache
