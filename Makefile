# Two commands do all set-up on a fresh machine: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: test test-fast demo bench lint format install system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[kiosk,central,dev]'
	touch $(STAMP)

install: $(STAMP)

system-deps:
	@bash tools/system-deps.sh

test: install system-deps
	$(BIN)/pytest

# The quick subset: no Xvfb, no Chromium, no central database, no CUPS daemon, no multi-node, no live
# central service, no child process, no staff web kit. The markers come from the fixtures each test uses
# (tests/conftest.py), so a new test is sorted the day it is written.
FAST := not display and not browser and not postgres and not database and not cups and not multinode and not live and not process and not slow
test-fast: install
	$(BIN)/pytest -q -m "$(FAST)"

demo: install system-deps
	$(BIN)/python tools/demo.py

bench: install system-deps
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) demo-output test-artifacts .pytest_cache
