"""The job that runs everything, and its daily schedule."""

from __future__ import annotations

import dagster as dg

SOFTSPAM_JOB_NAME = "softspam_job"
# One run writes the DuckDB file at a time: dagster.yaml limits runs with this tag to 1.
WAREHOUSE_TAG = {"softspam/warehouse": "write"}

softspam_job = dg.define_asset_job(
    SOFTSPAM_JOB_NAME,
    selection=dg.AssetSelection.all() | dg.AssetSelection.all_asset_checks(),
    description="Ingest new landing files, build and test the dbt project, run every check, "
    "write the reports.",
    tags=WAREHOUSE_TAG,
    # DuckDB allows one writing process: every step of a run runs in the run's own process.
    executor_def=dg.in_process_executor,
)

daily_schedule = dg.ScheduleDefinition(
    name="softspam_daily",
    job=softspam_job,
    cron_schedule="0 6 * * *",
    execution_timezone="Europe/Rome",
    description="Every morning before the campaigns go out: the night's exports are in the landing folder.",
    tags=WAREHOUSE_TAG,
)
