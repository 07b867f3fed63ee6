# The two set-up commands of the README, and a few helpers.
#   make demo   create .venv, install, migrate the SQLite database, seed demo data, serve on :8000
#   make test   install the test dependencies and run the whole suite (DATABASE_URL picks PostgreSQL)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ADDR ?= 127.0.0.1:8000
DEMO_ENV := DJANGO_DEBUG=true

# plotly.js for the chart pages, from npm into the git-ignored node_modules/ (served by whitenoise).
PLOTLY_JS := node_modules/plotly.js-basic-dist-min/plotly-basic.min.js

.PHONY: demo test install install-test lint check static-vendor

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "bonehealth needs Python 3.12 or newer (Django 6); $(PYTHON) is " + sys.version.split()[0] + ". Install Python 3.13 or run: make PYTHON=python3.13 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(PLOTLY_JS): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for plotly.js (Debian: apt-get install -y npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static-vendor: $(PLOTLY_JS)

install: $(BIN)/python static-vendor
	$(BIN)/pip install -q -e .

install-test: $(BIN)/python static-vendor
	$(BIN)/pip install -q -e ".[test]"

# The demo's settings in the git-ignored .env, which settings read, so the README's manage.py
# commands work as printed. An existing .env is kept.
.env:
	@printf '%s\n' '# Written by `make demo` for the local demo only (git-ignored); never in production.' 'DJANGO_DEBUG=true' > $@
	@echo "wrote .env (DJANGO_DEBUG=true) for the demo"

demo: install .env
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py seed_demo
	@echo "Open http://$(ADDR)/ and log in as nurse, nurse.riverside, physician or admin (password: bonehealth-demo)."
	@echo "The admin also needs a two-factor code: $(BIN)/python manage.py demo_totp (each code works once)."
	$(DEMO_ENV) $(BIN)/python manage.py runserver $(ADDR)

test: install-test
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/mypy --strict monitoring/domain
