# CX Warehouse. A newcomer needs two targets: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

export CXW_DATA_DIR ?= $(CURDIR)/data
export CXW_LANDING_DIR ?= $(CXW_DATA_DIR)/landing
export DAGSTER_HOME ?= $(CXW_DATA_DIR)/dagster_home
DBT := $(BIN)/dbt --no-use-colors
DBT_ARGS := --project-dir . --profiles-dir .
# pytest-xdist: two workers, each test module on one worker (its module fixtures built
# once); `make test PYTEST_WORKERS=0` runs in one process
PYTEST_WORKERS ?= 2
PYTEST := $(BIN)/pytest $(if $(filter-out 0,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS) --dist loadscope)

.PHONY: help setup sample run test test-slow lint format ui dashboard dashboard-timings chromium metrics docs evaluate bench clean spark-setup test-spark

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24,<27"
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,dashboard,metrics]'
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install the pinned dependencies

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp dagster.yaml $@

sample: setup  ## write the deterministic sample extracts if the landing folder is empty
	@if [ -z "$$(find $(CXW_LANDING_DIR) -type f 2>/dev/null | head -n 1)" ]; then \
		$(BIN)/cxw generate --out $(CXW_LANDING_DIR) --truth $(CXW_DATA_DIR)/ground_truth; \
	else echo "landing folder $(CXW_LANDING_DIR) has files: not generating"; fi

run: sample $(DAGSTER_HOME)/dagster.yaml  ## set up, generate the sample if needed, run the pipeline once
	$(BIN)/cxw run

test: setup $(DAGSTER_HOME)/dagster.yaml  ## lint, validate the Dagster definitions, run the test suite
	$(MAKE) lint
	$(BIN)/dagster definitions validate -m orchestration.definitions
	$(PYTEST) -m "not slow"

test-slow: setup chromium  ## the slow tests (a separate CI step)
	$(PYTEST) -m slow

dashboard-timings: setup chromium  ## the dashboard's start and page times on a release: make dashboard-timings SERVING=data/serving/cx.duckdb
	$(BIN)/python -m benchmarks.dashboard_timings --serving $${SERVING:-$${CXW_SERVING_PATH:-data/serving/cx.duckdb}}

chromium:  ## Debian's chromium for the dashboard's browser test, installed with apt if missing
	@command -v chromium >/dev/null || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update && $$SUDO apt-get install -y chromium; }

SPARK_STAMP := $(VENV)/.spark-stamp
$(SPARK_STAMP): pyproject.toml constraints.txt | $(STAMP)
	$(BIN)/pip install --quiet -c constraints.txt -e '.[spark]'
	touch $(SPARK_STAMP)

# the JRE's postinst links its man page into /usr/share/man/man1, which slim Debian images
# (docker debian:*-slim) do not have: the install fails there without the folder
spark-setup: setup $(SPARK_STAMP)  ## Java (Debian's OpenJDK 17, apt if missing) and pyspark/dbt-spark for the Spark target
	@command -v java >/dev/null || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO mkdir -p /usr/share/man/man1; \
		$$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends openjdk-17-jre-headless; }
	@java -version 2>&1 | head -n 1

test-spark: spark-setup  ## build the sample on Spark (local mode) and compare every mart with DuckDB's
	CXW_TEST_SPARK=1 $(BIN)/pytest tests/test_spark.py tests/test_spark_engine.py

lint: setup  ## ruff and sqlfluff (dbt templater)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint models macros tests/dbt
	$(BIN)/sqlfluff lint --templater raw benchmarks

format: setup  ## apply ruff and sqlfluff fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/sqlfluff fix models macros tests/dbt
	$(BIN)/sqlfluff fix --templater raw benchmarks

ui: setup $(DAGSTER_HOME)/dagster.yaml  ## the Dagster UI on http://127.0.0.1:3000
	$(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

dashboard: setup  ## the CX dashboard on the published release (port CXW_DASHBOARD_PORT, default 8501)
	$(BIN)/streamlit run orchestration/dashboard/app.py \
		--server.port $${CXW_DASHBOARD_PORT:-8501} \
		--server.address $${CXW_DASHBOARD_ADDRESS:-127.0.0.1} \
		--server.headless true --server.fileWatcherType none \
		--browser.gatherUsageStats false

metrics: setup  ## MetricFlow on the release: make metrics ARGS="query --metrics nps --group-by metric_time__month"
	$(DBT) parse --target release --target-path target $(DBT_ARGS)
	$(BIN)/python -m orchestration.metrics $(ARGS)

docs: setup  ## dbt docs into target/ (dbt docs serve to browse)
	$(DBT) docs generate $(DBT_ARGS)

evaluate: setup  ## identity resolution against the sample's ground truth
	$(BIN)/cxw evaluate

bench: setup  ## the benchmark at four scales, two memory limits (long: see benchmarks/README)
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

clean:  ## remove build output (keeps data/ and .venv)
	rm -rf target logs .pytest_cache .ruff_cache
