# Every target works on a fresh machine with only python3 (3.11 or newer) installed.
# The development environment comes from uv.lock (`uv sync --locked`); where uv is not on
# PATH, a pinned uv is bootstrapped from PyPI into .tools/ first.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
# The interpreter itself, as it names its own path (sys.executable). A pyenv or asdf shim
# is a script that picks an interpreter each time it runs; uv never matches a shim's path
# to the interpreter .venv was made from, so it would delete and rebuild .venv on every
# target (`Removed virtual environment at: .venv`).
PYTHON_EXECUTABLE := $(shell $(PYTHON) -c 'import sys; print(sys.executable)' 2>/dev/null)
UV_VERSION := 0.13.9
UV_BOOTSTRAP := .tools/uv-$(UV_VERSION)/bin/uv
UV ?= $(shell command -v uv 2>/dev/null || echo $(UV_BOOTSTRAP))
VENV := .venv
PY := $(VENV)/bin/python

# uv uses the machine's python3 and never downloads an interpreter; it writes its
# virtual environment to .venv, whatever the caller's shell has activated.
export UV_PYTHON := $(PYTHON_EXECUTABLE)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
# Trust the platform's certificate store, as pip does, so a machine behind a TLS-inspecting
# proxy installs as it would with pip.
export UV_SYSTEM_CERTS := 1
unexport VIRTUAL_ENV
# mkdocs-material prints a banner about MkDocs 2.0 on every build; it is not about us.
export NO_MKDOCS_2_WARNING := 1

# The offline suite never talks to the live gateway, even with a key in the shell.
OFFLINE := env -u ASSEMBLYAI_API_KEY -u ASSEMBLYAI_GATEWAY_BASE_URL -u ASSEMBLYAI_BASE_URL

SYNC_DEV := $(UV) sync --locked --all-extras --group dev
SYNC_DEMO := $(UV) sync --locked --inexact --no-default-groups --extra all --group demo

.PHONY: help install lint typecheck unit docs docs-serve build-check test test-long test-live \
	test-deps record demo bench bench-quick lock lock-upgrade uv-run clean

help:
	@echo "make demo        run the tour (embedded emulator when ASSEMBLYAI_API_KEY is unset)"
	@echo "make test        lint, types, docs, build check and the offline suite (no credits)"
	@echo "make test-long   the offline suite in random order, property tests at full counts"
	@echo "make test-live   the live gateway tests (needs ASSEMBLYAI_API_KEY; spends credits)"
	@echo "make record      record VCR cassettes from the live gateway (needs the key)"
	@echo "make test-deps   the unit suite at the highest and lowest dependency versions, per Python"
	@echo "make docs        build the documentation site (--strict) into site/"
	@echo "make bench       benchmarks against the peers (about 3 minutes)"
	@echo "make lock        update uv.lock after changing dependencies (other pins stay)"
	@echo "make lock-upgrade move every pin in uv.lock to the newest allowed version"
	@echo "make uv-run ARGS=\"...\"  run uv with the project's settings, e.g. ARGS=\"pip list\""

$(UV_BOOTSTRAP): | check-python
	@echo "uv is not on PATH: installing uv $(UV_VERSION) from PyPI into .tools/ (once)"
	$(PYTHON_EXECUTABLE) -m venv .tools/uv-$(UV_VERSION)
	.tools/uv-$(UV_VERSION)/bin/python -m pip install --quiet --disable-pip-version-check \
		"uv==$(UV_VERSION)"

check-python:
	@test -n "$(PYTHON_EXECUTABLE)" || { echo "make: no working Python 3.11+ found (tried PYTHON=$(PYTHON)); install python3, or run make PYTHON=/path/to/python3"; exit 2; }

uv: check-python $(if $(filter $(UV_BOOTSTRAP),$(UV)),$(UV_BOOTSTRAP))
.PHONY: uv check-python

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
# a quarter of each; see tests/support/hypothesis_profiles.py), in a random order
# (pytest-randomly; the header prints the seed: add --randomly-seed=N to run that order again).
test-long: install
	$(PYTEST) --hypothesis-profile=long -p randomly

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

# The published ranges: on each Python version the classifiers list (a missing one is
# skipped and reported), the offline unit suite in two fresh environments, resolved at the
# highest versions and at the lowest direct versions that pyproject.toml allows.
test-deps: uv
	$(OFFLINE) bash tests/support/test_deps.sh "$(UV)" "$(PYTHON_EXECUTABLE)"

demo: uv
	@echo "Installing what the demo needs from uv.lock (the first run downloads packages)..."
	$(SYNC_DEMO)
	$(PY) -m cookbook.demo

bench: install
	$(OFFLINE) $(PY) -m benchmarks.run

bench-quick: install
	$(OFFLINE) $(PY) -m benchmarks.run --quick

# After changing dependencies in pyproject.toml: resolve the change, keep every other pin.
lock: uv
	$(UV) lock

# Move every pin to the newest version the ranges allow (before a release; its own commit).
lock-upgrade: uv
	$(UV) lock --upgrade

# Any other uv command, with the settings above (the bootstrapped uv, UV_SYSTEM_CERTS,
# the machine's interpreter, .venv): make uv-run ARGS="pip list"
uv-run: uv
	@test -n "$(ARGS)" || { echo 'usage: make uv-run ARGS="<uv arguments>", e.g. ARGS="pip list"'; exit 2; }
	$(UV) $(ARGS)

clean:
	rm -rf $(VENV) .tools .venv-deps build dist site .mypy_cache .ruff_cache
