# Two commands for a fresh machine: `make run` serves the app, `make test` runs every test.
# `make check` is the quick loop while you work: lint, types, and every test but the browser's.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test check lint types system-packages bench cluster

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

# The browser tests drive Debian's Chromium and the cluster tests start Debian's HAProxy.
# Installed here when missing (as root, or through sudo); otherwise one sentence says how.
system-packages:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	[ -x /usr/sbin/haproxy ] || missing="$$missing haproxy"; \
	[ -z "$$missing" ] && exit 0; \
	how="sudo apt-get install -y$$missing"; \
	if ! command -v apt-get >/dev/null; then \
	  echo "make test needs Chromium at /usr/bin/chromium and HAProxy at /usr/sbin/haproxy: install them with this system's package manager, then run make test again." >&2; exit 1; \
	elif [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null; then sudo="sudo"; \
	else echo "make test needs Debian's$$missing: run '$$how' as root, then make test again." >&2; exit 1; fi; \
	echo "Installing Debian's$$missing for the browser and cluster tests."; \
	export DEBIAN_FRONTEND=noninteractive; \
	{ $$sudo apt-get update -q && $$sudo apt-get install -y -q $$missing; } \
	  || { echo "make test could not install$$missing: run '$$how', then make test again." >&2; exit 1; }

lint: $(VENV)/.dev
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

types: $(VENV)/.dev
	$(PY) -m mypy

check: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) -m pytest -m "not browser" -n 2 --dist loadfile

test: $(VENV)/.dev system-packages
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) -m pytest

bench: $(VENV)/.dev
	for b in benchmarks/*.py; do $(PY) $$b || exit 1; done

# A simulated class on a fresh app (benchmarks/README.md, "class_load"): STUDENTS students for
# DURATION seconds on REPLICAS app servers (1 unless given; more go behind HAProxy). Prints
# Locust's summary and each interaction's server CPU; the CSV files go to OUT (default: /tmp).
STUDENTS ?= 80
DURATION ?= 120
.PHONY: load
load: $(VENV)/.dev
	$(PY) -m benchmarks.class_load --students $(STUDENTS) --duration $(DURATION) \
	  --replicas $(if $(filter file,$(origin REPLICAS)),1,$(REPLICAS)) $(if $(OUT),--out $(OUT))
