# Every target works on a fresh machine with only Python 3.11 (or newer) installed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install test lint typecheck unit demo bench record clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[all,dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: $(STAMP)
	$(PY) -m mypy

unit: $(STAMP)
	$(PY) -m pytest

test: lint typecheck unit

demo: $(STAMP)
	$(PY) -m cookbook.demo

bench: $(STAMP)
	$(PY) -m benchmarks.run

record: $(STAMP)
	@test -n "$$ASSEMBLYAI_API_KEY" || (echo "make record needs ASSEMBLYAI_API_KEY (it records live gateway cassettes)"; exit 2)
	$(PY) -m pytest tests/integration_tests --record-mode=once

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache
