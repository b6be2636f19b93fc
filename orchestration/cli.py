"""`softspam`: the command line (docs/formats.md section 4).

Exit codes: 0 the command did its job (whatever it found); 1 `run --fail-on-violations` found
violations; 2 the command could not run (one line on stderr says why).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from orchestration.config import ConfigError, Settings
from orchestration.errors import SoftspamError, user_error_types
from orchestration.run_lock import ensure_not_open_elsewhere, warehouse_lock

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_CANNOT_RUN = 2
RUN_LOG = Path("logs") / "run.log"  # inside the output folder: dbt's and Dagster's chatter


class CannotRun(SoftspamError):
    """The pipeline could not run; the message is the one line the user sees."""


def _progress_printer() -> Callable[[str], None]:
    """Stage lines on stderr for a person at a terminal; nothing in pipes, cron and CI."""
    if not sys.stderr.isatty():
        return lambda message: None
    started = time.monotonic()

    def show(message: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    return show


# ---------------------------------------------------------------------------------------- run


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
        if self.settings.engine != "duckdb":
            lines.append(f"engine: {self.settings.engine} (tables in {self.settings.spark_dir})")
        lines.append(
            f"outputs: {self.settings.output}" + (f" ({', '.join(self.outputs)})" if self.outputs else "")
        )
        return lines


def _validate_as_of(as_of: str | None) -> None:
    if as_of is None:
        return
    try:
        datetime.fromisoformat(as_of)
    except ValueError as exc:
        raise ConfigError(
            f"--as-of {as_of!r} is not an ISO 8601 timestamp (e.g. 2026-03-01T10:00:00+01:00)"
        ) from exc


def _last_load_id(warehouse: Path) -> int:
    from orchestration.assets.warehouse_io import query, table_exists

    if not table_exists(warehouse, "raw", "load_ledger"):
        return 0
    return int(query(warehouse, "select coalesce(max(load_id), 0) as n from raw.load_ledger")["n"].iloc[0])


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), text.strip())


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
        return where + _without_class_path(_first_line(error.message))
    return "the Dagster run failed (see the run log)"


def _summarise(settings: Settings, result: Any, loads_before: int) -> RunSummary:
    from orchestration.assets.warehouse_io import query, table_exists

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
    progress = _progress_printer()
    _validate_as_of(args.as_of)
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


# --------------------------------------------------------------------------------------- demo


def demo_command(args: argparse.Namespace) -> int:
    try:
        from orchestration.demo import generate_demo
    except ImportError as exc:
        raise SoftspamError(f"the demo generator is not available ({exc})") from exc
    out = Path(args.out or os.environ.get("SOFTSPAM_LANDING") or "landing")
    try:
        summary = generate_demo(out, scale=args.scale, seed=args.seed, progress=_progress_printer())
    except (OSError, ValueError) as exc:
        raise SoftspamError(str(exc)) from exc
    lines = summary.lines() if hasattr(summary, "lines") else [f"demo landing folder written to {out}"]
    print("\n".join(lines))
    return EXIT_OK


# ----------------------------------------------------------------------- report delegations


def _delegate(handler_name: str) -> Callable[[argparse.Namespace], int]:
    """Handlers live in orchestration.reports; a missing module only breaks its own command."""

    def handle(args: argparse.Namespace) -> int:
        try:
            from orchestration.reports import cli_handlers
        except ImportError as exc:
            raise SoftspamError(f"the reports module is not available ({exc})") from exc
        return int(getattr(cli_handlers, handler_name)(args))

    return handle


# ------------------------------------------------------------------------------------ parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="softspam",
        description="Soft-spam compliance warehouse: is every promotional e-mail allowed "
        "(art. 130 c.4 Codice Privacy)?",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = commands.add_parser(
        "run",
        help="ingest new landing files, build the warehouse, run every check, write the reports",
        description="Ingest what is new in the landing folder, build and test the dbt models, run "
        "every check and write the reports and exports. Exit 0 when the pipeline ran, whatever it "
        "found; 2 with a one-line reason when it could not run.",
    )
    run.add_argument(
        "--landing", metavar="DIR", help="landing folder (default: $SOFTSPAM_LANDING or ./landing)"
    )
    run.add_argument(
        "--warehouse",
        metavar="FILE",
        help="DuckDB file (default: $SOFTSPAM_WAREHOUSE or ./warehouse/softspam.duckdb)",
    )
    run.add_argument("--output", metavar="DIR", help="reports folder (default: $SOFTSPAM_OUTPUT or ./output)")
    run.add_argument(
        "--as-of",
        metavar="TS",
        help="evaluation time of audience eligibility, ISO 8601 (default: now; sends are always "
        "judged at their own time)",
    )
    run.add_argument(
        "--policy", metavar="FILE", help="YAML file of policy settings overriding dbt_project.yml"
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

    demo = commands.add_parser(
        "demo",
        help="write a realistic, deterministic demo landing folder",
        description="Write a realistic, deterministic demo landing folder (same scale and seed, same bytes).",
    )
    demo.add_argument(
        "--scale", type=int, default=2000, metavar="N", help="background persons (default: 2000)"
    )
    demo.add_argument(
        "--out", metavar="DIR", help="folder to write (default: $SOFTSPAM_LANDING or ./landing)"
    )
    demo.add_argument(
        "--seed", type=int, default=20260301, metavar="N", help="random seed (default: 20260301)"
    )
    demo.set_defaults(handler=demo_command, error_prefix="softspam demo: could not run: ")

    audience = commands.add_parser(
        "check-audience",
        help="judge a planned audience with the eligibility rules",
        description="Judge a planned audience (one address a line, or a CSV with an `email` column) "
        "for a product category; write the verdict per address and print a summary.",
    )
    audience.add_argument("file", metavar="FILE", help="the audience file")
    audience.add_argument(
        "--category", required=True, metavar="C", help="product category the campaign promotes"
    )
    audience.add_argument("--channel", default="email", metavar="CHANNEL", help="channel (default: email)")
    audience.add_argument("--as-of", metavar="TS", help="evaluation time, ISO 8601 (default: now)")
    audience.add_argument("--warehouse", metavar="FILE", help="DuckDB file (default: $SOFTSPAM_WAREHOUSE)")
    audience.add_argument("--output", metavar="FILE", help="verdicts CSV to write")
    audience.set_defaults(handler=_delegate("check_audience_command"), error_prefix="error: ")

    trail = commands.add_parser(
        "trail",
        help="a person's full timeline and current eligibility per category",
        description="Print a person's full timeline (sales, consents, oppositions, sends, violations) "
        "and current eligibility per category.",
    )
    trail.add_argument("email", metavar="EMAIL", help="the person's e-mail address")
    trail.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    trail.add_argument("--warehouse", metavar="FILE", help="DuckDB file (default: $SOFTSPAM_WAREHOUSE)")
    trail.set_defaults(handler=_delegate("trail_command"), error_prefix="error: ")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except SoftspamError as exc:
        print(f"{args.error_prefix}{_first_line(str(exc))}", file=sys.stderr)
        return EXIT_CANNOT_RUN


if __name__ == "__main__":
    sys.exit(main())
