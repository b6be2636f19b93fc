"""The deliverables: report.html, violations.csv, alignment_gaps.csv, suppression/<app>.csv."""

from pathlib import Path

import dagster as dg

from orchestration.assets.dbt import dbt_asset_keys_in_schema, run_target_path
from orchestration.assets.resources import SoftspamSettings

COMPLIANCE_OUTPUTS_KEY = dg.AssetKey(["reports", "compliance_outputs"])
# The in-process executor runs ready steps by priority: the rule and reconciliation checks become
# ready with this asset (all after the dbt step), and must have their results before the report
# names them. A dependency would not do: a failed check must never withhold the report.
RUN_LAST = {"dagster/priority": "-1"}
CHECK_EVENTS = {
    dg.DagsterEventType.ASSET_CHECK_EVALUATION,
    dg.DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED,
}


def _shown(path: Path, output: Path) -> str:
    path = Path(path).resolve()
    return str(path.relative_to(output)) if path.is_relative_to(output) else str(path)


def run_checks(context: dg.AssetExecutionContext, settings):
    """Every check of this run so far: Dagster's check evaluations, plus the dbt tests of the run's
    `dbt test` invocation that are no asset check (its run_results.json in the run's target)."""
    from orchestration.reports.run_checks import (
        CheckOutcome,
        combine,
        read_test_run_results,
        summarise_metadata,
    )

    planned: set[tuple[str, str]] = set()
    evaluations = {}
    records = context.instance.get_records_for_run(context.run_id, of_type=CHECK_EVENTS).records
    for record in records:
        event = record.event_log_entry.dagster_event
        if event is None:
            continue
        data = event.event_specific_data
        key = (data.asset_key.to_user_string(), data.check_name)
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED:
            planned.add(key)
        else:
            evaluations[key] = data  # the latest result of a check counts
    failed = [
        CheckOutcome(name, target, evaluation.severity.value, summarise_metadata(evaluation.metadata))
        for (target, name), evaluation in evaluations.items()
        if not evaluation.passed
    ]
    run = context.instance.get_run_record_by_id(context.run_id)
    started = run.start_time if run is not None else None
    dbt_failed = read_test_run_results(run_target_path(settings) / "run_results.json", not_before=started)
    return combine(
        evaluated=len(evaluations),
        failed=failed,
        dbt_failed=dbt_failed,
        not_evaluated=[name for target, name in planned - evaluations.keys()],
    )


@dg.asset(
    key=COMPLIANCE_OUTPUTS_KEY,
    group_name="reports",
    kinds={"python", "html", "csv"},
    deps=dbt_asset_keys_in_schema("marts"),
    op_tags=RUN_LAST,
    description="Compliance deliverables written to the output folder from the marts; the report's "
    "first lines name every failed check of the run.",
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
    checks = run_checks(context, settings)
    if checks.not_evaluated:
        context.log.warning(f"checks without a result before the report: {', '.join(checks.not_evaluated)}")
    written = write_outputs(settings.warehouse, settings.output, checks)
    relative = sorted(_shown(path, settings.output) for path in written)
    return dg.MaterializeResult(
        metadata={
            "output_folder": dg.MetadataValue.path(str(settings.output)),
            "files_written": len(written),
            "files": dg.MetadataValue.md("\n".join(f"- `{name}`" for name in relative) or "_none_"),
            "failed_checks": dg.MetadataValue.md(
                "\n".join(f"- `{check.name}` {check.severity} on {check.target}" for check in checks.failed)
                or "_none_"
            ),
        }
    )
