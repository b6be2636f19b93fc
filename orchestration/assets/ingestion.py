"""Landing assets: one per landing kind, plus reference overrides and the load ledger.

Each kind's asset ingests the new files of its folder (orchestration.ingestion) and validates
what it just landed with Great Expectations; the result is the asset check ``gx_<kind>``.
"""

from collections.abc import Sequence
from typing import Any

import dagster as dg
import pandas as pd

from orchestration.assets.metadata import markdown_table, masked
from orchestration.assets.resources import SoftspamSettings
from orchestration.ingestion.raw_schema import LANDED_TABLES
from orchestration.warehouse import query, table_exists

LANDING_GROUP = "landing"
LANDING_KINDS = ("sales", "sends", "oppositions", "consents", "suppressions")
REFERENCE_OVERRIDES_KEY = dg.AssetKey(["raw", "reference_overrides"])
LOAD_LEDGER_KEY = dg.AssetKey(["raw", "load_ledger"])
PREVIEW_ROWS = 5

# Raw tables each kind writes (the asset's materialization covers all of them).
RAW_TABLES_BY_KIND: dict[str, tuple[str, ...]] = {
    "sales": ("sales", "shopify_order_lines"),
    "sends": ("sends",),
    "oppositions": ("oppositions", "mailchimp_unsubscribes"),
    "consents": ("consents",),
    "suppressions": ("suppressions", "mailchimp_unsubscribes", "suppression_snapshots"),
}


def kind_key(kind: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", kind])


def gx_check_name(kind: str) -> str:
    return f"gx_{kind}"


def ledger_frame(loads: Sequence[Any]) -> pd.DataFrame:
    columns = ["load_id", "file_name", "format", "rows_read", "rows_loaded", "rows_quarantined", "status"]
    return pd.DataFrame([{c: getattr(load, c) for c in columns} for load in loads], columns=columns)


def _preview(warehouse, kind: str, load_ids: list[int]) -> dict[str, dg.MetadataValue]:
    """The newest rows this run landed, per raw table, addresses masked."""
    previews: dict[str, dg.MetadataValue] = {}
    if not load_ids:
        return previews
    for table in RAW_TABLES_BY_KIND[kind]:
        if table not in LANDED_TABLES:
            continue
        columns = ", ".join(f'"{name}"' for name, _ in LANDED_TABLES[table])
        rows = query(
            warehouse,
            f"select {columns}, _source_file from raw.{table} where _load_id in (select unnest(?))"  # noqa: S608
            " order by _load_id desc, _source_line desc limit ?",
            [load_ids, PREVIEW_ROWS],
        )
        if not rows.empty:
            previews[f"preview_{table}"] = dg.MetadataValue.md(markdown_table(masked(rows)))
    return previews


def _gx_check_result(kind: str, loads: Sequence[Any], settings) -> dg.AssetCheckResult:
    from orchestration.quality import validate_kind, write_result

    validation = validate_kind(settings.warehouse, kind, loads)
    result_path = write_result(validation, settings.output)
    findings = pd.DataFrame(
        [
            {
                "table": f.table,
                "expectation": f.expectation,
                "column": f.column,
                "severity": f.severity,
                "unexpected_count": f.unexpected_count,
                "sample": ", ".join(str(v) for v in f.sample),
            }
            for f in validation.findings
        ]
    )
    return dg.AssetCheckResult(
        check_name=gx_check_name(kind),
        asset_key=kind_key(kind),
        passed=validation.passed,
        severity=dg.AssetCheckSeverity.ERROR if validation.has_critical else dg.AssetCheckSeverity.WARN,
        metadata={
            "rows_validated": sum(validation.rows_validated.values()),
            "failing_expectations": len(validation.findings),
            "unexpected_count": validation.unexpected_count,
            "findings": dg.MetadataValue.md(markdown_table(findings, max_cell=120)),
            "gx_result": dg.MetadataValue.path(str(result_path)),
        },
    )


def build_kind_asset(kind: str) -> dg.AssetsDefinition:
    tables = ", ".join(f"raw.{table}" for table in RAW_TABLES_BY_KIND[kind])

    @dg.asset(
        key=kind_key(kind),
        group_name=LANDING_GROUP,
        kinds={"python", "duckdb"},
        description=f"New files of landing/{kind}/ loaded into {tables}.",
        check_specs=[
            dg.AssetCheckSpec(
                gx_check_name(kind),
                asset=kind_key(kind),
                description=f"Great Expectations suite on the {kind} rows landed by this run.",
            )
        ],
    )
    def ingest(context: dg.AssetExecutionContext, softspam: SoftspamSettings) -> dg.MaterializeResult:
        from orchestration.ingestion import ingest_kind
        from orchestration.ingestion.readings import reread_landed_times

        settings = softspam.settings
        # before any new file: landed local times read in another zone are read again first
        reread = reread_landed_times(settings.warehouse, settings.policy["timezone"])
        if reread is not None:
            context.log.warning(reread.note)
        loads = ingest_kind(settings.landing, settings.warehouse, kind, settings.policy["timezone"])
        ledger = ledger_frame(loads)
        quarantined_files = [load for load in loads if load.status == "quarantined"]
        for load in quarantined_files:
            context.log.warning(f"{load.file_name} quarantined whole: {load.message}")
        loaded_ids = [load.load_id for load in loads if load.status != "quarantined"]
        return dg.MaterializeResult(
            metadata={
                "files_loaded": len(loads) - len(quarantined_files),
                "files_quarantined": len(quarantined_files),
                "rows_read": int(ledger["rows_read"].sum()),
                "rows_loaded": int(ledger["rows_loaded"].sum()),
                "rows_quarantined": int(ledger["rows_quarantined"].sum()),
                "ledger": dg.MetadataValue.md(markdown_table(ledger)),
                **_preview(settings.warehouse, kind, loaded_ids),
                **({"local_times_reread": reread.note} if reread is not None else {}),
            },
            check_results=[_gx_check_result(kind, loads, settings)],
        )

    return ingest


@dg.asset(
    key=REFERENCE_OVERRIDES_KEY,
    group_name=LANDING_GROUP,
    kinds={"python", "duckdb"},
    description="landing/reference/<seed>.csv files, replacing the shipped seeds of the same name.",
)
def reference_overrides(softspam: SoftspamSettings) -> dg.MaterializeResult:
    from orchestration.ingestion import load_reference_overrides

    settings = softspam.settings
    applied = load_reference_overrides(settings.landing, settings.warehouse)
    return dg.MaterializeResult(
        metadata={"overrides_applied": len(applied), "seeds_overridden": ", ".join(applied) or "none"}
    )


@dg.asset(
    key=LOAD_LEDGER_KEY,
    group_name=LANDING_GROUP,
    kinds={"duckdb"},
    deps=[*(kind_key(kind) for kind in LANDING_KINDS), REFERENCE_OVERRIDES_KEY],
    description="raw.load_ledger and raw.quarantine: every landed file, its row counts and unreadable rows.",
)
def load_ledger(softspam: SoftspamSettings) -> dg.MaterializeResult:
    from orchestration.ingestion import ensure_raw_schema

    settings = softspam.settings
    # dbt sources must resolve even when the landing folder is empty.
    ensure_raw_schema(settings.warehouse)
    totals = query(
        settings.warehouse,
        "select count(*) as files, coalesce(sum(rows_read), 0) as rows_read,"
        " coalesce(sum(rows_quarantined), 0) as rows_quarantined,"
        " count(*) filter (where status = 'quarantined') as files_quarantined from raw.load_ledger",
    ).iloc[0]
    newest = query(
        settings.warehouse,
        "select load_id, file_name, kind, format, rows_read, rows_loaded, rows_quarantined, status, loaded_at"
        " from raw.load_ledger order by load_id desc limit 10",
    )
    quarantine_rows = 0
    if table_exists(settings.warehouse, "raw", "quarantine"):
        quarantine_rows = int(
            query(settings.warehouse, "select count(*) as n from raw.quarantine")["n"].iloc[0]
        )
    return dg.MaterializeResult(
        metadata={
            "files_total": int(totals["files"]),
            "files_quarantined_total": int(totals["files_quarantined"]),
            "rows_read_total": int(totals["rows_read"]),
            "quarantine_rows_total": quarantine_rows,
            "newest_loads": dg.MetadataValue.md(markdown_table(newest)),
        }
    )


kind_assets = [build_kind_asset(kind) for kind in LANDING_KINDS]
ingestion_assets = [*kind_assets, reference_overrides, load_ledger]
