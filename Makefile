# Jemput Bola — every task a developer or CI needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      ?= .venv
PY        := $(VENV)/bin/python
MANAGE    := $(PY) manage.py
STAMP     := $(VENV)/.installed
HOST      ?= 127.0.0.1
PORT      ?= 8000
PYTEST_ARGS ?=
BENCH     ?=

.PHONY: help install system-deps migrate demo serve test test-postgres walk lint format check messages bench rehearsal requirements clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | sort | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt
	@set -e; if [ ! -x $(PY) ]; then \
	  py=$$(scripts/find-python); echo "Creating $(VENV) with $$py"; \
	  $$py -m venv $(VENV); fi
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements.txt -r requirements-dev.txt
	@touch $@

install: $(STAMP) ## Create the virtualenv and install pinned requirements

system-deps: ## Install Debian packages the tests use (chromium, poppler-utils, zbar-tools, gettext) when missing
	@scripts/system-deps

migrate: install ## Apply database migrations
	$(MANAGE) migrate --noinput

demo: install migrate ## Load the NTT demo data and serve http://127.0.0.1:8000 (HOST=, PORT= to change) with a task worker
	HOST=$(HOST) PORT=$(PORT) $(MANAGE) load_demo_data
	@HOST=$(HOST) PORT=$(PORT) PY=$(PY) scripts/demo-serve

test: install system-deps ## Run the whole test suite (browser tests included)
	$(PY) -m pytest $(PYTEST_ARGS)

walk: install system-deps ## Only the browser walk of every admin form and chooser per role (also in make test; ~8 min)
	$(PY) -m pytest -m walk tests/browser/test_admin_walk.py $(PYTEST_ARGS)

lint: install ## ruff check + format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install ## Apply ruff fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: install ## Django system checks and the missing-migrations check
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

messages: install ## Extract and compile the translation catalogues
	$(MANAGE) makemessages -l id -l en --no-obsolete --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles
	$(MANAGE) compilemessages --ignore=.venv

rehearsal: install ## Production rehearsal: PostgreSQL + gunicorn + 2 workers, locust load, fault drills, one table (~15 min)
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements-rehearsal.txt
	$(PY) scripts/rehearsal/run.py

bench: install system-deps ## Run the benchmarks in bench/ and print a table (BENCH=dashboard runs only those named so)
	$(PY) -m bench $(BENCH)

requirements: install ## Re-pin requirements*.txt from requirements*.in
	$(VENV)/bin/uv pip compile --python $(PY) -q requirements.in -o requirements.txt
	$(VENV)/bin/uv pip compile --python $(PY) -q requirements-dev.in -o requirements-dev.txt
	$(VENV)/bin/uv pip compile --python $(PY) -q requirements-rehearsal.in -o requirements-rehearsal.txt

clean: ## Remove the virtualenv, the demo database and collected files
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* media staticfiles .pytest_cache
