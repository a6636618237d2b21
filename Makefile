# CigarSpace — `make demo` and `make test` work on a fresh machine with Python >= 3.11.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
# Re-install whenever the dependency list changes.
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml 2>/dev/null | cut -d' ' -f1)
HOST   ?= 127.0.0.1
PORT   ?= 8000

# Local commands run in development mode unless the caller says otherwise.
export DEBUG ?= true

.PHONY: help setup demo serve test lint format worker migrate dbstatus dbstop clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# The CPU build of torch first: PyPI's Linux torch is the multi-GB CUDA build
	@# (scripts/install-torch.sh says where the CPU build comes from).
	scripts/install-torch.sh $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

setup: $(STAMP)  ## Create .venv and install everything

migrate: setup  ## Start the embedded database (if used) and apply migrations
	$(PY) manage.py migrate --no-input

demo: migrate  ## Set up, migrate, load the demo, serve the admin and API on 127.0.0.1:8000 with a worker
	@# Idempotent: a second run changes nothing and prints the same summary.
	$(PY) manage.py demo_setup
	@# runserver and qcluster side by side; Ctrl-C stops both cleanly.
	$(PY) manage.py demo_serve --host $(HOST) --port $(PORT)

test: setup  ## Run the whole test suite (real PostgreSQL: embedded, or DATABASE_URL)
	@# The real-browser test needs Chromium + chromedriver: installed here when missing.
	scripts/ensure-browser.sh
	$(BIN)/pytest $(PYTEST_ARGS)

lint: setup  ## Ruff and the type check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: setup  ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: migrate  ## Run the django-q2 worker (scheduled discovery, ingestion, matching)
	$(PY) manage.py qcluster

dbstatus: setup  ## Is the embedded PostgreSQL running?
	$(PY) manage.py dbserver status

dbstop: setup  ## Stop the embedded PostgreSQL
	$(PY) manage.py dbserver stop

clean:  ## Remove the virtualenv (the data directory .cigarspace/ is kept)
	rm -rf $(VENV) .pytest_cache .ruff_cache
