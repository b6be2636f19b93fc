"""`softspam run`: ingest, build, check and report in one Dagster run, then a summary.

Exit 0 when the pipeline ran, whatever it found; 1 with `--fail-on-violations` when it found
violations; a SoftspamError (exit 2) when it could not run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestration.cli.common import (
    EXIT_OK,
    EXIT_VIOLATIONS,
    first_line,
    progress_printer,
    shared_options,
)
from orchestration.config import ConfigError, Settings
from orchestration.errors import SoftspamError, user_error_types
from orchestration.publish import NotPublishedError, analyst_path, latest_published
from orchestration.run_lock import ensure_not_open_elsewhere, warehouse_lock

RUN_LOG = Path("logs") / "run.log"  # inside the output folder: dbt's and Dagster's chatter


class CannotRun(SoftspamError):
    """The pipeline could not run; the message is the one line the user sees."""


@dataclass
class RunSummary:
    """What one `softspam run` did, read back from Dagster's events and the warehouse."""

    settings: Settings
    files_loaded: int = 0
    files_quarantined: int = 0
    rows_quarantined: int = 0
    sends_judged: int = 0
    violations_by_rule: dict[str, int] = field(default_factory=dict)
    failed_checks: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    published: str | None = None  # what readers open, and its build

    @property
    def violations(self) -> int:
        return sum(self.violations_by_rule.values())

    def lines(self) -> list[str]:
        rules = ", ".join(f"{code} {count}" for code, count in self.violations_by_rule.items())
        lines = [
            f"files: {self.files_loaded} loaded, {self.files_quarantined} quarantined whole"
            f" ({self.rows_quarantined} rows quarantined)",
            f"sends judged: {self.sends_judged}",
            f"violations: {self.violations}" + (f" ({rules})" if rules else ""),
        ]
        if self.failed_checks:
            lines.append(f"failed checks: {len(self.failed_checks)} ({', '.join(self.failed_checks)})")
        else:
            lines.append("failed checks: 0")
        lines.append(f"warehouse: {self.settings.warehouse}")
        if self.published:
            lines.append(f"published for readers: {self.published}")
        if self.settings.engine != "duckdb":
            lines.append(f"engine: {self.settings.engine} (tables in {self.settings.spark_dir})")
        lines.append(
            f"outputs: {self.settings.output}" + (f" ({', '.join(self.outputs)})" if self.outputs else "")
        )
        return lines


def _last_load_id(warehouse: Path) -> int:
    from orchestration.warehouse import query, table_exists

    if not table_exists(warehouse, "raw", "load_ledger"):
        return 0
    return int(query(warehouse, "select coalesce(max(load_id), 0) as n from raw.load_ledger")["n"].iloc[0])


def _without_class_path(line: str) -> str:
    """``orchestration.run_lock.WarehouseLockedError: msg`` -> ``msg``; ``builtins.KeyError: 'x'`` ->
    ``KeyError: 'x'``.

    Dagster hands back a step's error as text, the exception's ``module.Class: message``: a user
    error or a Dagster Failure says everything in its message, any other error keeps its name.
    """
    import dagster as dg

    for error_type in (*user_error_types(), dg.Failure):
        prefix = f"{error_type.__module__}.{error_type.__qualname__}: "
        if line.startswith(prefix):
            return line[len(prefix) :]
    match = re.match(r"^(?:\w+\.)*(\w+): (.*)$", line)
    return line if match is None else f"{match.group(1)}: {match.group(2)}"


def _failure_reason(result: Any) -> str:
    """The deepest error of the first failure event, as one line."""
    for event in result.all_events:
        if event.event_type_value not in ("STEP_FAILURE", "RESOURCE_INIT_FAILURE", "RUN_FAILURE"):
            continue
        error = getattr(event.event_specific_data, "error", None)
        if error is None:
            continue
        while error.cause is not None:
            error = error.cause
        where = f"step {event.step_key}: " if event.step_key else ""
        return where + _without_class_path(first_line(error.message))
    return "the Dagster run failed (see the run log)"


def _summarise(settings: Settings, result: Any, loads_before: int) -> RunSummary:
    from orchestration.warehouse import query, table_exists

    warehouse = settings.warehouse
    summary = RunSummary(settings=settings)
    loads = query(
        warehouse,
        "select status, rows_quarantined from raw.load_ledger where load_id > ?",
        [loads_before],
    )
    summary.files_quarantined = int((loads["status"] == "quarantined").sum())
    summary.files_loaded = len(loads) - summary.files_quarantined
    summary.rows_quarantined = int(loads["rows_quarantined"].sum()) if len(loads) else 0
    if table_exists(warehouse, "marts", "sends_checked"):
        summary.sends_judged = int(
            query(warehouse, "select count(*) as n from marts.sends_checked")["n"].iloc[0]
        )
    if table_exists(warehouse, "marts", "violations"):
        by_rule = query(
            warehouse,
            "select rule_code, count(*) as n from marts.violations"
            " group by rule_code order by n desc, rule_code",
        )
        summary.violations_by_rule = dict(zip(by_rule["rule_code"], by_rule["n"].astype(int), strict=True))
    summary.failed_checks = sorted(
        f"{evaluation.check_name} {evaluation.severity.value}"
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed
    )
    with contextlib.suppress(NotPublishedError):
        _, manifest = latest_published(warehouse)
        summary.published = f"{analyst_path(warehouse)} (build {manifest['build_id']})"
    known = ["report.html", "violations.csv", "alignment_gaps.csv", "suppression/", "dbt_docs.html"]
    summary.outputs = [name for name in known if (settings.output / name).exists()]
    return summary


def execute_pipeline(
    settings: Settings, progress: Callable[[str], None] | None = None
) -> tuple[Any, RunSummary]:
    """Run `softspam_job` in this process, exactly the job `dagster dev` shows.

    The caller holds the warehouse lock. Raises CannotRun when the job failed.
    """
    progress = progress or (lambda message: None)
    settings.export_env()
    settings.output.mkdir(parents=True, exist_ok=True)
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    loads_before = _last_load_id(settings.warehouse)
    log_path = settings.output / RUN_LOG
    log_path.parent.mkdir(parents=True, exist_ok=True)
    progress("loading the Dagster definitions (dbt parse when the project changed)")
    run_config = {
        "resources": {
            "softspam": {
                "config": {
                    "landing": str(settings.landing),
                    "warehouse": str(settings.warehouse),
                    "output": str(settings.output),
                    "policy_file": os.environ.get("SOFTSPAM_POLICY"),
                    "as_of": settings.as_of,
                    "engine": settings.engine,
                }
            }
        },
        "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},
    }
    with (
        log_path.open("w", encoding="utf-8") as log,
        contextlib.redirect_stdout(log),
        warnings.catch_warnings(),
    ):
        # dbt's event stream and library warnings go to the run log, not the user's terminal.
        warnings.simplefilter("ignore")
        from orchestration.definitions import defs
        from orchestration.schedules import SOFTSPAM_JOB_NAME

        progress("running: ingest landing files, dbt build, checks, reports")
        result = defs.resolve_job_def(SOFTSPAM_JOB_NAME).execute_in_process(
            run_config=run_config, raise_on_error=False
        )
    if not result.success:
        raise CannotRun(f"{_failure_reason(result)} (details: {log_path})")
    progress("summarising")
    return result, _summarise(settings, result, loads_before)


def run_command(args: argparse.Namespace) -> int:
    progress = progress_printer()
    settings = Settings.resolve(
        landing=args.landing,
        warehouse=args.warehouse,
        output=args.output,
        policy_file=args.policy,
        as_of=args.as_of,
        engine=args.engine,
    )
    if args.policy:
        os.environ["SOFTSPAM_POLICY"] = str(Path(args.policy).resolve())
    if not settings.landing.is_dir():
        raise ConfigError(f"landing folder {settings.landing} does not exist")
    if settings.engine == "spark":
        from orchestration.spark import ensure_spark_runnable

        ensure_spark_runnable()
    progress(f"landing {settings.landing} -> warehouse {settings.warehouse}")
    with warehouse_lock(settings.warehouse):
        ensure_not_open_elsewhere(settings.warehouse)
        _, summary = execute_pipeline(settings, progress)
    print("softspam run: done")
    for line in summary.lines():
        print(f"  {line}")
    if args.fail_on_violations and summary.violations:
        print(f"softspam run: {summary.violations} violations found (--fail-on-violations)", file=sys.stderr)
        return EXIT_VIOLATIONS
    return EXIT_OK


def add_parser(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser(
        "run",
        parents=[shared_options("--landing", "--warehouse", "--output", "--policy")],
        help="ingest new landing files, build the warehouse, run every check, write the reports",
        description="Ingest what is new in the landing folder, build and test the dbt models, run "
        "every check and write the reports and exports. Exit 0 when the pipeline ran, whatever it "
        "found; 2 with a one-line reason when it could not run.",
    )
    run.add_argument(
        "--as-of",
        metavar="TS",
        help="evaluation time of audience eligibility, ISO 8601 (default: now; sends are always "
        "judged at their own time)",
    )
    run.add_argument(
        "--engine",
        choices=("duckdb", "spark"),
        help="where dbt builds the models (default: $SOFTSPAM_ENGINE or duckdb); spark runs the same "
        "project on a local Apache Spark, its tables beside the DuckDB file in <name>.spark/",
    )
    run.add_argument(
        "--fail-on-violations",
        action="store_true",
        help="exit 1 when violations were found (for CI)",
    )
    run.set_defaults(handler=run_command, error_prefix="softspam run: could not run: ")
