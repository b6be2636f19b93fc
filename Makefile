# The README's two commands: `make demo` and `make test`. Each creates .venv when missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install dagster clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Write the demo landing folder and run the whole pipeline on it.
demo: $(STAMP)
	$(BIN)/softspam demo --out landing
	$(BIN)/softspam run --landing landing --warehouse warehouse/softspam.duckdb --output output

## Lint (ruff, SQLFluff) and run every test.
test: $(STAMP) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check orchestration tests benchmarks
	$(BIN)/ruff format --check orchestration tests benchmarks
	$(BIN)/sqlfluff lint models macros tests

## Open the Dagster UI on localhost only.
dagster: $(STAMP)
	DAGSTER_HOME=$(CURDIR)/.dagster_home $(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1

clean:
	rm -rf warehouse output target logs .dagster_home
