"""The dbt docs site as one static file in the output folder: lineage and every column's
definition, readable offline by analysts and auditors."""

from __future__ import annotations

import json
import shutil

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.assets.dbt import dbt_asset_keys_in_schema, run_target_path
from orchestration.assets.resources import SoftspamSettings
from orchestration.reports.atomic import atomic_path

DBT_DOCS_KEY = dg.AssetKey(["reports", "dbt_docs"])
DOCS_FILE_NAME = "dbt_docs.html"


@dg.asset(
    key=DBT_DOCS_KEY,
    group_name="reports",
    kinds={"dbt", "html"},
    deps=dbt_asset_keys_in_schema("marts"),
    description="`dbt docs generate --static`, published as output/dbt_docs.html.",
)
def dbt_docs(dbt: DbtCliResource, softspam: SoftspamSettings) -> dg.MaterializeResult:
    settings = softspam.settings
    settings.export_env()
    # the run's own target: its manifest is fresh (the build just compiled it), so no compile
    target = run_target_path(settings)
    invocation = dbt.cli(
        [
            "docs",
            "generate",
            "--static",
            "--no-compile",
            "--target",
            settings.dbt_target,
            "--vars",
            json.dumps(settings.dbt_vars(), default=str),
        ],
        target_path=target,
        raise_on_error=False,
    )
    invocation.wait()
    static_page = target / "static_index.html"
    if not invocation.is_successful() or not static_page.exists():
        raise dg.Failure(description="dbt docs generate failed; see the run log", allow_retries=False)
    published = settings.output / DOCS_FILE_NAME
    published.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(published) as temporary:
        shutil.copyfile(static_page, temporary)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(published)),
            "size_kb": round(published.stat().st_size / 1024, 1),
        }
    )
