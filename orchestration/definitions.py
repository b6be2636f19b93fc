"""Everything Dagster loads: `dagster dev -m orchestration.definitions` and `softspam run` alike."""

from __future__ import annotations

import dagster as dg

from orchestration.assets.dbt import dbt_resource, softspam_dbt_assets
from orchestration.assets.docs import dbt_docs
from orchestration.assets.ingestion import ingestion_assets
from orchestration.assets.published import published_marts_copy
from orchestration.assets.reports import compliance_outputs
from orchestration.assets.resources import SoftspamSettings
from orchestration.checks import reconciliation_check, violation_rule_checks
from orchestration.schedules import daily_schedule, softspam_job
from orchestration.sensors import landing_folder_sensor

defs = dg.Definitions(
    assets=[*ingestion_assets, softspam_dbt_assets, compliance_outputs, dbt_docs, published_marts_copy],
    asset_checks=[violation_rule_checks, reconciliation_check],
    jobs=[softspam_job],
    schedules=[daily_schedule],
    sensors=[landing_folder_sensor],
    resources={"dbt": dbt_resource, "softspam": SoftspamSettings()},
    executor=dg.in_process_executor,
)
