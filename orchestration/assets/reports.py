"""The deliverables: report.html, violations.csv, alignment_gaps.csv, suppression/<app>.csv."""

from pathlib import Path

import dagster as dg

from orchestration.assets.dbt import dbt_asset_keys_in_schema
from orchestration.assets.resources import SoftspamSettings

COMPLIANCE_OUTPUTS_KEY = dg.AssetKey(["reports", "compliance_outputs"])


def _shown(path: Path, output: Path) -> str:
    path = Path(path).resolve()
    return str(path.relative_to(output)) if path.is_relative_to(output) else str(path)


@dg.asset(
    key=COMPLIANCE_OUTPUTS_KEY,
    group_name="reports",
    kinds={"python", "html", "csv"},
    deps=dbt_asset_keys_in_schema("marts"),
    description="Compliance deliverables written to the output folder from the marts.",
)
def compliance_outputs(context: dg.AssetExecutionContext, softspam: SoftspamSettings) -> dg.MaterializeResult:
    try:
        from orchestration.reports import write_outputs
    except ImportError as exc:
        raise dg.Failure(
            description=f"the reports module is not available (orchestration.reports.write_outputs): {exc}",
            allow_retries=False,
        ) from exc
    settings = softspam.settings
    written = write_outputs(settings.warehouse, settings.output)
    relative = sorted(_shown(path, settings.output) for path in written)
    return dg.MaterializeResult(
        metadata={
            "output_folder": dg.MetadataValue.path(str(settings.output)),
            "files_written": len(written),
            "files": dg.MetadataValue.md("\n".join(f"- `{name}`" for name in relative) or "_none_"),
        }
    )
