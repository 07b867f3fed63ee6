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

# Dependencies come from the hashed lock files (requirements/, made by `make lock`): exact versions,
# and pip refuses any file whose hash differs. The project itself is then installed without deps.
install: $(BIN)/python static-vendor
	$(BIN)/pip install -q --require-hashes -r requirements/base.txt
	$(BIN)/pip install -q --no-deps -e .

install-test: $(BIN)/python static-vendor
	$(BIN)/pip install -q --require-hashes -r requirements/test.txt
	$(BIN)/pip install -q --no-deps -e .

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

# The suite runs in one process per core (pytest-xdist; each has its own test database).
# PYTEST_WORKERS=0 runs it in this process, e.g. to debug one test.
PYTEST_WORKERS ?= auto
test: install-test
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/mypy --strict monitoring/domain
	$(BIN)/lint-imports --no-logo  # the layers: [tool.importlinter] in pyproject.toml

# Re-resolve the lock files from pyproject.toml after changing a dependency (needs PyPI).
UV_COMPILE := $(BIN)/uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.12 -q
.PHONY: lock audit
lock: $(BIN)/python
	$(BIN)/pip install -q "uv>=0.9"
	$(UV_COMPILE) -o requirements/base.txt
	$(UV_COMPILE) --extra test -o requirements/test.txt
	$(UV_COMPILE) --extra cache -o requirements/cache.txt

# Known vulnerabilities in the locked versions (pip-audit asks PyPI's JSON API; see SECURITY.md).
audit: $(BIN)/python
	$(BIN)/pip install -q "pip-audit>=2.7"
	$(BIN)/pip-audit --strict --require-hashes --disable-pip --vulnerability-service pypi -r requirements/test.txt
