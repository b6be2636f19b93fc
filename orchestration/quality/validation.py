"""Validate what a run just landed with Great Expectations 1.x.

GX's SQL datasource does not work on DuckDB through duckdb-engine in GX 1.x (GX issues 10738 and
11579), so each batch is read into a pandas DataFrame: the rows of raw.<table> whose ``_load_id``
belongs to this run's loads. The context is ephemeral: nothing is written but the result JSON.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from orchestration.ingestion.raw_schema import LANDED_TABLES
from orchestration.quality.masking import mask_email, mask_value
from orchestration.quality.suites import (
    EARLIEST_PLAUSIBLE,
    EMAIL_FORMAT,
    EMAIL_FORMAT_MOSTLY,
    FUTURE_TOLERANCE_DAYS,
    SUITES_BY_KIND,
    TableSuite,
)

SAMPLE_SIZE = 5
WHOLE_FILE_QUARANTINED = "file_header_matches_a_known_format"


@dataclass(frozen=True)
class Finding:
    """One failed expectation, safe to show (samples are masked)."""

    table: str
    expectation: str
    column: str | None
    severity: str  # GX severity: 'critical' or 'warning'
    unexpected_count: int | None
    sample: list[Any]


@dataclass
class KindValidation:
    kind: str
    rows_validated: dict[str, int] = field(default_factory=dict)  # suite name -> rows
    findings: list[Finding] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)  # GX result JSON per suite, masked

    @property
    def passed(self) -> bool:
        return not self.findings

    @property
    def has_critical(self) -> bool:
        return any(f.severity == "critical" for f in self.findings)

    @property
    def unexpected_count(self) -> int:
        return sum(f.unexpected_count or 0 for f in self.findings)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "success": self.passed,
            "rows_validated": self.rows_validated,
            "files_quarantined_whole": [
                {"file": f.table.removeprefix("file "), "rows": f.unexpected_count, "reason": f.sample[0]}
                for f in self.findings
                if f.expectation == WHOLE_FILE_QUARANTINED
            ],
            "validation_results": self.results,
        }


# rows of landed files validated in one DataFrame, at most (one file may exceed it): GX copies the
# frame several times over, and this process lives on beside the dbt process, so its peak counts
BATCH_ROWS = 250_000


def _batches_of_files(loads: Sequence[Any]) -> list[list[Any]]:
    """Consecutive loads grouped so that each group holds at most BATCH_ROWS rows (or one file)."""
    batches: list[list[Any]] = []
    rows = 0
    for load in loads:
        if batches and rows + load.rows_read <= BATCH_ROWS:
            batches[-1].append(load)
            rows += load.rows_read
        else:
            batches.append([load])
            rows = load.rows_read
    return batches


def _landed_batch(warehouse: Path, suite: TableSuite, load_ids: Sequence[int]) -> pd.DataFrame:
    """The rows of ``load_ids`` in raw.<table>, compared as the models compare text: lower(trim()),
    empty = missing (docs/rules.md section 4), for the e-mail and the accepted-values columns.

    Normalised in DuckDB, vectorised: the same in pandas string methods cost 2 s per million rows.
    """
    normalised = {*suite.accepted_values, *([suite.email_column] if suite.email_column else [])}
    columns = [name for name, _ in LANDED_TABLES[suite.table]] + ["_load_id", "_source_line"]
    select = ", ".join(
        f'nullif(lower(trim("{c}")), \'\') as "{c}"' if c in normalised else f'"{c}"' for c in columns
    )
    where = "_load_id in (select unnest(?))"
    if suite.row_filter:
        where += f" and {suite.row_filter}"
    sql = f"select {select} from raw.{suite.table} where {where} order by _load_id, _source_line"  # noqa: S608
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql, [list(load_ids)]).df()


def _expectations(suite: TableSuite, expect_rows: bool, now: datetime) -> list[Any]:
    import great_expectations.expectations as gxe

    critical: list[Any] = [
        gxe.ExpectTableColumnsToMatchSet(column_set=list(suite.required_columns), exact_match=False),
        *(gxe.ExpectColumnValuesToNotBeNull(column=column) for column in suite.not_null),
    ]
    if suite.unique_key:
        critical.append(gxe.ExpectCompoundColumnsToBeUnique(column_list=["_load_id", *suite.unique_key]))
    if expect_rows:
        critical.append(gxe.ExpectTableRowCountToBeBetween(min_value=1))
    latest_plausible = pd.Timestamp(now + timedelta(days=FUTURE_TOLERANCE_DAYS))
    warnings: list[Any] = [
        *(
            gxe.ExpectColumnValuesToBeBetween(
                column=column, min_value=pd.Timestamp(EARLIEST_PLAUSIBLE), max_value=latest_plausible
            )
            for column in suite.times
        ),
        *(
            gxe.ExpectColumnValuesToBeInSet(column=column, value_set=list(values))
            for column, values in suite.accepted_values.items()
        ),
    ]
    if suite.email_column:
        warnings.append(
            gxe.ExpectColumnValuesToMatchRegex(
                column=suite.email_column, regex=EMAIL_FORMAT, mostly=EMAIL_FORMAT_MOSTLY
            )
        )
    for expectation in critical:
        expectation.severity = "critical"
    for expectation in warnings:
        expectation.severity = "warning"
    return critical + warnings


def _gx_context() -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints every in-memory batch (pandas' row hash of every column, md5'd) for its
    # batch markers only, twice per validation: 40% of the suites' time at ten million sends, for
    # metadata nobody reads here. Frames at or above HASH_THRESHOLD bytes are not fingerprinted.
    pandas_execution_engine.HASH_THRESHOLD = 0
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _findings(suite: TableSuite, result: dict[str, Any], email_column: str | None) -> list[Finding]:
    findings = []
    for outcome in result["results"]:
        if outcome["success"]:
            continue
        config = outcome["expectation_config"]
        column = config["kwargs"].get("column")
        details = outcome.get("result") or {}
        sample = list(details.get("partial_unexpected_list") or [])[:SAMPLE_SIZE]
        if column is not None and column == email_column:
            sample = [mask_email(v) if isinstance(v, str) else v for v in sample]
        if "observed_value" in details and not sample:
            sample = [details["observed_value"]]
        exception = (outcome.get("exception_info") or {}).get("exception_message")
        if exception:
            sample = [f"GX could not evaluate: {exception}"]
        findings.append(
            Finding(
                table=suite.name,
                expectation=config["type"],
                column=column or ",".join(config["kwargs"].get("column_list", [])) or None,
                severity=config.get("severity", "critical"),
                unexpected_count=details.get("unexpected_count"),
                sample=mask_value(sample),
            )
        )
    return findings


def validate_kind(
    warehouse: Path, kind: str, loads: Sequence[Any], now: datetime | None = None
) -> KindValidation:
    """Run the kind's suites on the rows landed by ``loads`` (FileLoad records of this run).

    A file quarantined whole (its header matches no known format) lands no row for GX to see:
    it is reported as a critical finding of its own, since its required columns are missing.
    """
    now = now or datetime.now(UTC)
    validation = KindValidation(kind=kind)
    by_format = SUITES_BY_KIND[kind]
    loads_by_suite: dict[str, tuple[TableSuite, list[Any]]] = {}
    for load in loads:
        if getattr(load, "status", None) == "quarantined":
            validation.findings.append(
                Finding(
                    table=f"file {load.file_name}",
                    expectation=WHOLE_FILE_QUARANTINED,
                    column=None,
                    severity="critical",
                    unexpected_count=load.rows_read,
                    sample=[mask_value(load.message or "quarantined whole")],
                )
            )
            continue
        suite = by_format.get(load.format or "")
        if suite is None:
            continue
        loads_by_suite.setdefault(suite.name, (suite, []))[1].append(load)
    if not loads_by_suite:
        return validation

    import great_expectations as gx

    context = _gx_context()
    # the batches below collect garbage after each one (GX's data sources hold cycles): leave the
    # long-lived objects made so far (GX's modules, the context) out of every such collection
    gc.freeze()
    for suite, suite_loads in loads_by_suite.values():
        # whole files per batch (ids are unique per file), a bounded number of rows per batch:
        # a full build of ten million sends must not become one DataFrame
        for batch_number, batch_loads in enumerate(_batches_of_files(suite_loads), start=1):
            frame = _landed_batch(warehouse, suite, [load.load_id for load in batch_loads])
            validation.rows_validated[suite.name] = validation.rows_validated.get(suite.name, 0) + len(frame)
            expect_rows = sum(load.rows_read for load in batch_loads) > 0
            asset_name = suite.table if suite.row_filter is None else f"{suite.table}_{kind}"
            # a data source per batch, deleted after it: GX's pandas engine caches the batch's
            # data (the whole DataFrame) for as long as its data source lives
            datasource = context.data_sources.add_pandas(f"landed_{kind}_{asset_name}_{batch_number}")
            asset = datasource.add_dataframe_asset(f"{asset_name}_{batch_number}")
            batch = asset.add_batch_definition_whole_dataframe("this_run").get_batch(
                batch_parameters={"dataframe": frame}
            )
            expectation_suite = gx.ExpectationSuite(name=f"softspam_{kind}_{suite.table}_{batch_number}")
            for expectation in _expectations(suite, expect_rows, now):
                expectation_suite.add_expectation(expectation)
            result = batch.validate(expectation_suite, result_format="SUMMARY").to_json_dict()
            validation.findings.extend(_findings(suite, result, suite.email_column))
            validation.results.append({"table": suite.name, **_masked_result(result, suite.email_column)})
            # the data source keeps each asset's batch, and with it the DataFrame: drop both, or
            # a full build of ten million sends keeps every batch alive (gigabytes, measured)
            context.data_sources.delete(datasource.name)
            del frame, batch, asset, datasource
            gc.collect()
    _return_freed_memory()
    return validation


def _return_freed_memory() -> None:
    """Hand the DataFrames' freed heap back to the system (glibc keeps it otherwise): this process
    lives on beside the dbt process, and the run's peak memory is the sum of the two."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def _masked_result(result: dict[str, Any], email_column: str | None) -> dict[str, Any]:
    """Mask observed values (never the expectation's own kwargs, whose regex holds an '@').

    Unexpected values of the e-mail column are masked even without an '@' (e.g. 'mario.rossi').
    """
    for outcome in result["results"]:
        outcome["result"] = mask_value(outcome.get("result") or {})
        if outcome["expectation_config"]["kwargs"].get("column") != email_column:
            continue
        details = outcome["result"]
        if "partial_unexpected_list" in details:
            details["partial_unexpected_list"] = [
                mask_email(v) if isinstance(v, str) else v for v in details["partial_unexpected_list"]
            ]
        if "partial_unexpected_counts" in details:
            details["partial_unexpected_counts"] = [
                {**entry, "value": mask_email(entry["value"]) if isinstance(entry["value"], str) else None}
                for entry in details["partial_unexpected_counts"]
            ]
    return result


def write_result(validation: KindValidation, output: Path) -> Path:
    """Write ``<output>/gx/<kind>.json``: GX's validation results of this run, addresses masked."""
    path = Path(output) / "gx" / f"{validation.kind}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(validation.as_json(), indent=2, default=str), encoding="utf-8")
    return path
