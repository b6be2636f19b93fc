"""The read-only copy of the warehouse that readers open instead of it (orchestration/publish.py)."""

import dagster as dg

from orchestration.assets.dbt import dbt_asset_keys_in_schema
from orchestration.assets.resources import SoftspamSettings
from orchestration.publish import READER_RELATIONS, publish

PUBLISHED_KEY = dg.AssetKey(["published", "marts_copy"])
# After the report: the copy then holds what the run's deliverables show. Priority, not a
# dependency: a failed check withholds neither.
PUBLISH_LAST = {"dagster/priority": "-2"}


@dg.asset(
    key=PUBLISHED_KEY,
    group_name="published",
    kinds={"duckdb"},
    deps=[*dbt_asset_keys_in_schema("marts"), *(dg.AssetKey(name.split(".")) for name in READER_RELATIONS)],
    op_tags=PUBLISH_LAST,
    description="A read-only copy of the whole warehouse file beside it, for analysts, check-audience, "
    "trail, evidence and the service: readers of it never stop a run.",
)
def published_marts_copy(softspam: SoftspamSettings) -> dg.MaterializeResult:
    settings = softspam.settings
    database, manifest = publish(settings.warehouse, as_of=settings.as_of)
    return dg.MaterializeResult(
        metadata={
            "build_id": manifest["build_id"],
            "path": dg.MetadataValue.path(str(database)),
            "publish_seconds": manifest["publish_seconds"],
            "tables": dg.MetadataValue.md(
                "\n".join(f"- `{name}`: {rows:,} rows" for name, rows in manifest["tables"].items())
            ),
        }
    )
