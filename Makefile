# Two commands on a fresh Debian/Ubuntu machine with Python 3.11+:
#   make run   - create .venv if missing, install requirements.txt, start the app on :8501
#   make test  - create/update .venv with the dev requirements, make sure a Chromium exists,
#                run ruff and the whole pytest suite (browser tests included)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test lint browser bench clean

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

browser: $(VENV)/.dev-stamp
	@scripts/ensure-browser $(BIN)

lint: $(VENV)/.dev-stamp
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint browser
	$(BIN)/python -m pytest

bench: $(VENV)/.dev-stamp
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) static/leaflet .pytest_cache .ruff_cache .hypothesis
