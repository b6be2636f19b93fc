# The README's two commands: `make demo` and `make test`. Each creates .venv when missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install browser java bench bench-engines bench-serve dagster clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	touch $(STAMP)

install: $(STAMP)

## Write the demo landing folder and run the whole pipeline on it.
demo: $(STAMP)
	$(BIN)/softspam demo --out landing
	$(BIN)/softspam run --landing landing --warehouse warehouse/softspam.duckdb --output output

## Lint (ruff, SQLFluff) and run every test.
test: $(STAMP) lint browser java
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check orchestration tests benchmarks
	$(BIN)/ruff format --check orchestration tests benchmarks
	SOFTSPAM_WAREHOUSE=$(CURDIR)/target/lint.duckdb $(BIN)/sqlfluff lint models tests/dbt

## The report's browser test needs Chromium (Debian's package); installed when we may.
browser:
	@command -v chromium >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] \
		&& (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "chromium not installed: the browser test will be skipped"; }

## The Spark engine needs a Java 17+ runtime: Debian's, installed when missing and we may.
java:
	@java -version >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] \
		&& (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null) \
		|| echo "java not installed: the Spark tests will be skipped"; }

## Performance benchmark: full build, incremental day and the lean DuckDB baseline, per scale and
## company shape (demo, company_b or both, side by side). Writes BENCHMARKS.md. Takes long at 1M
## persons (see BENCHMARKS.md for the last timings).
SCALES ?= 100000 300000 1000000
SHAPES ?= both
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run --scale $(SCALES) --shape $(SHAPES) --repeat 3 --out BENCHMARKS.md

## The same demo on DuckDB and on a local Spark, side by side (README, section Spark).
ENGINE_SCALES ?= 100000
bench-engines: $(STAMP) java
	$(BIN)/python -m benchmarks.engines --scale $(ENGINE_SCALES)

## Load benchmark of `softspam serve` (localhost only) on a warehouse a run has published; writes
## BENCHMARKS_SERVE.md. E.g.
## `softspam demo --scale 100000 --out /tmp/serve-demo/landing`, then `softspam run` into /tmp.
SERVE_WAREHOUSE ?= warehouse/softspam.duckdb
bench-serve: $(STAMP)
	$(BIN)/python -m benchmarks.serve --warehouse $(SERVE_WAREHOUSE) --out BENCHMARKS_SERVE.md

## Open the Dagster UI on localhost only.
dagster: $(STAMP)
	mkdir -p .dagster_home && cp dagster.yaml .dagster_home/dagster.yaml
	DAGSTER_HOME=$(CURDIR)/.dagster_home $(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1

clean:
	rm -rf warehouse output target logs .dagster_home
