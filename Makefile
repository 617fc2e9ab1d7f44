# egov — the two commands of the quick start: `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -ec
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PRESET ?= thanh-ba-2021
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test venv sysdeps lint format migrate demo bench openapi clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip 2>&1 | { grep -v '^WARNING: Location' || true; }
	$(PY) -m pip install --quiet -e '.[dev]' 2>&1 | { grep -v '^WARNING: Location' || true; }
	touch $(STAMP)

venv: $(STAMP)

sysdeps:
	@bash scripts/install-system-deps.sh

## make run: virtualenv, install, migrate the embedded SQLite database, load the demo,
## start the web server and the task worker, print the URL and the demo logins.
run: venv
	@bash scripts/run.sh $(PRESET) $(HOST) $(PORT)

## make test: the whole suite (on PostgreSQL when DATABASE_URL is set).
test: venv sysdeps
	$(PY) -m pytest -p no:cacheprovider $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrate: venv
	$(PY) manage.py migrate

demo: venv
	$(PY) manage.py load_demo $(PRESET)

openapi: venv
	$(PY) manage.py spectacular --file docs/openapi.yaml --validate --fail-on-warn

bench: venv
	$(PY) bench/bench_core.py
	$(PY) bench/bench_calendar.py

.PHONY: bench-documents
bench-documents: venv  # generates 1,000,000 documents on the first run (~10 min), then measures
	$(PY) bench/bench_documents.py --database-url postgres://postgres@127.0.0.1:5432/egov_bench_documents

.PHONY: bench-portal
bench-portal: venv  # tracking and procedure search on the dataset of bench_dossiers.py (generated if missing, ~5 min)
	$(PY) bench/bench_portal.py --database-url postgres://postgres@127.0.0.1:5432/egov_bench_dossiers

clean:
	rm -rf $(VENV) var test-artifacts
