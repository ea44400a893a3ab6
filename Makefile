# Every target works on a fresh machine with only python3 (3.11 or newer) installed.
# The development environment comes from uv.lock (`uv sync --locked`); where uv is not on
# PATH, a pinned uv is bootstrapped from PyPI into .tools/ first.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV_VERSION := 0.13.9
UV_BOOTSTRAP := .tools/uv-$(UV_VERSION)/bin/uv
UV ?= $(shell command -v uv 2>/dev/null || echo $(UV_BOOTSTRAP))
VENV := .venv
PY := $(VENV)/bin/python

# uv uses the machine's python3 and never downloads an interpreter; it writes its
# virtual environment to .venv, whatever the caller's shell has activated.
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
# Trust the platform's certificate store, as pip does, so a machine behind a TLS-inspecting
# proxy installs as it would with pip.
export UV_SYSTEM_CERTS := 1
unexport VIRTUAL_ENV
# mkdocs-material prints a banner about MkDocs 2.0 on every build; it is not about us.
export NO_MKDOCS_2_WARNING := 1

# The offline suite never talks to the live gateway, even with a key in the shell.
OFFLINE := env -u ASSEMBLYAI_API_KEY -u ASSEMBLYAI_GATEWAY_BASE_URL

SYNC_DEV := $(UV) sync --locked --all-extras --group dev
SYNC_DEMO := $(UV) sync --locked --inexact --no-default-groups --extra all --group demo

.PHONY: help install lint typecheck unit docs docs-serve build-check test test-long test-live \
	test-deps record demo bench bench-quick lock clean

help:
	@echo "make demo        run the tour (embedded emulator when ASSEMBLYAI_API_KEY is unset)"
	@echo "make test        lint, types, docs, build check and the offline suite (no credits)"
	@echo "make test-long   the offline suite with the property tests' full example counts"
	@echo "make test-live   the live gateway tests (needs ASSEMBLYAI_API_KEY; spends credits)"
	@echo "make record      record VCR cassettes from the live gateway (needs the key)"
	@echo "make test-deps   the unit suite at the highest and the lowest direct dependency versions"
	@echo "make docs        build the documentation site (--strict) into site/"
	@echo "make bench       benchmarks against the peers (about 3 minutes)"
	@echo "make lock        refresh uv.lock after changing dependencies in pyproject.toml"

$(UV_BOOTSTRAP):
	@echo "uv is not on PATH: installing uv $(UV_VERSION) from PyPI into .tools/ (once)"
	$(PYTHON) -m venv .tools/uv-$(UV_VERSION)
	.tools/uv-$(UV_VERSION)/bin/python -m pip install --quiet --disable-pip-version-check \
		"uv==$(UV_VERSION)"

uv: $(if $(filter $(UV_BOOTSTRAP),$(UV)),$(UV_BOOTSTRAP))
.PHONY: uv

install: uv
	$(SYNC_DEV)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: install
	$(PY) -m mypy

# The suite runs on every core (pytest-xdist; PYTEST_WORKERS=0 runs it in one process).
# Tests go to the workers one at a time in collection order, where the slow ones come
# first (tests/conftest.py), so they overlap with the rest instead of ending the run alone.
PYTEST_WORKERS ?= auto
# Python keeps compiled modules in __pycache__, and pytest its assertion-rewritten test
# modules; where the environment turns that off (PYTHONDONTWRITEBYTECODE, common in
# containers), every worker and every subprocess of the suite compiles all it imports again.
PYTEST := $(OFFLINE) -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest \
	-n $(PYTEST_WORKERS) --dist load --maxschedchunk 1

unit: install
	$(PYTEST)

# The offline suite with every property test at its full example count (`make test` runs
# a quarter of each; see tests/support/hypothesis_profiles.py).
test-long: install
	$(PYTEST) --hypothesis-profile=long

docs: install
	$(OFFLINE) $(PY) -m mkdocs build --strict --quiet --site-dir site

docs-serve: install
	$(PY) -m mkdocs serve

build-check: install
	rm -rf dist
	$(UV) build --quiet --out-dir dist
	$(PY) -m twine check --strict dist/*
	$(PY) -m tests.support.check_dist dist

# The checks and the suite run side by side, each step's output shown when it ends: the
# suite's slow tests spend seconds waiting on subprocesses and rate limits, which the
# checks fill. Where make cannot keep a step's output together (before GNU make 4), one
# step runs after the other.
TEST_STEPS := lint typecheck docs build-check unit
SIDE_BY_SIDE := $(if $(filter output-sync,$(.FEATURES)),-j $(words $(TEST_STEPS)) --output-sync=target)

test:
	@echo "make test: $(TEST_STEPS)$(if $(SIDE_BY_SIDE), (side by side; each prints when it ends))"
	@$(MAKE) --no-print-directory $(SIDE_BY_SIDE) $(TEST_STEPS)

test-live: install
	@test -n "$$ASSEMBLYAI_API_KEY" || (echo "make test-live needs ASSEMBLYAI_API_KEY (it calls the live gateway and spends credits)"; exit 2)
	$(PY) -m pytest tests/integration_tests --live -m live

record: install
	@test -n "$$ASSEMBLYAI_API_KEY" || (echo "make record needs ASSEMBLYAI_API_KEY (it records live gateway cassettes)"; exit 2)
	$(PY) -m pytest tests/integration_tests --live --record-mode=once

# The published ranges: the offline unit suite in two fresh environments, resolved at the
# highest versions and at the lowest direct versions that pyproject.toml allows.
test-deps: uv
	$(OFFLINE) bash tests/support/test_deps.sh "$(UV)"

demo: uv
	@echo "Installing what the demo needs from uv.lock (the first run downloads packages)..."
	$(SYNC_DEMO)
	$(PY) -m cookbook.demo

bench: install
	$(OFFLINE) $(PY) -m benchmarks.run

bench-quick: install
	$(OFFLINE) $(PY) -m benchmarks.run --quick

lock: uv
	$(UV) lock --upgrade

clean:
	rm -rf $(VENV) .tools .venv-deps build dist site .mypy_cache .ruff_cache
