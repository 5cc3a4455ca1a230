# Two commands for a fresh machine: `make run` serves the app, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test lint bench cluster

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.app: $(VENV)/bin/python requirements.txt
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.app requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.app
	$(PY) -m streamlit run app.py --server.port 8501

# A class: REPLICAS app servers behind HAProxy on PORT, each browser pinned to one server
# (README, "Deploy for a class"). STORE, if set, is where kept trainings go. Ctrl-C stops all.
REPLICAS ?= 2
PORT ?= 8080
cluster: $(VENV)/.app
	$(PY) -m deploy.cluster serve --replicas $(REPLICAS) --port $(PORT) $(if $(STORE),--store $(STORE))

test: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

lint: $(VENV)/.dev
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: $(VENV)/.dev
	for b in benchmarks/*.py; do $(PY) $$b || exit 1; done
