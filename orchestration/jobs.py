"""The one job: landing → raw → dbt → quality checks → serving. `cxw run` and the UI run it."""

from __future__ import annotations

from dagster import (
    AssetSelection,
    Backoff,
    Jitter,
    RetryPolicy,
    define_asset_job,
    in_process_executor,
)

# Transient failures (a busy warehouse lock, a file system hiccup) are retried with backoff;
# data problems (dbt tests, blocking quality checks) raise Failure(allow_retries=False).
TRANSIENT_RETRY = RetryPolicy(
    max_retries=3, delay=10, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS
)

cx_warehouse_job = define_asset_job(
    name="cx_warehouse",
    selection=AssetSelection.all(),
    description="Load new landing files, build the dbt models, run the quality gates, publish.",
    # One process, steps in order: DuckDB allows one writer per file, and the writer lock
    # held by the writer_lock resource then covers the whole run.
    executor_def=in_process_executor,
    op_retry_policy=TRANSIENT_RETRY,
    tags={"dagster/max_retries": "1", "dagster/retry_strategy": "FROM_FAILURE"},
)
