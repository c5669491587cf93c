# Two commands on a fresh Debian/Ubuntu machine with Python 3.11+:
#   make run   - create .venv if missing, install requirements.txt, start the app on :8501
#   make test  - create/update .venv with the dev requirements, make sure a Chromium exists,
#                run ruff, mypy on windrose_sites/ and the whole pytest suite (browser tests and
#                the package's doctests included)
#   make serve REPLICAS=N - N Streamlit processes behind HAProxy (sticky sessions) on :8501
#                (installs Debian's haproxy if missing; docs/DEPLOY.md says when to use it)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
REPLICAS ?= 2

.PHONY: run serve test lint browser proxy postgres bench clean

$(BIN)/python:
	@scripts/make-venv $(PYTHON) $(VENV)

# Stamps: reinstall only when a requirements file changes, so a second `make run` is quick.
$(VENV)/.run-stamp: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	$(BIN)/pip install --disable-pip-version-check -q --no-deps -e .
	@touch $@

$(VENV)/.dev-stamp: requirements.txt requirements-dev.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	$(BIN)/pip install --disable-pip-version-check -q --no-deps -e .
	@touch $@ $(VENV)/.run-stamp

run: $(VENV)/.run-stamp
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true \
		--browser.gatherUsageStats false

serve: $(VENV)/.run-stamp proxy
	REPLICAS=$(REPLICAS) PORT=$(PORT) BIN=$(BIN) scripts/serve

browser: $(VENV)/.dev-stamp
	@scripts/ensure-browser $(BIN)

# HAProxy (make serve, replica browser tests) and PostgreSQL's binaries (store tests)
proxy:
	@scripts/ensure-proxy

postgres:
	@scripts/ensure-postgres

lint: $(VENV)/.dev-stamp
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint browser proxy postgres
	$(BIN)/mypy windrose_sites
	$(BIN)/python -m pytest -n 2 --dist loadfile

bench: $(VENV)/.dev-stamp
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) static/leaflet .pytest_cache .ruff_cache .mypy_cache .hypothesis
