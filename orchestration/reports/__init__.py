"""Compliance deliverables: report.html, CSV exports, pre-send audience check, person trail.

Everything here reads the warehouse read-only and writes each file atomically.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from orchestration.reports.exports import write_exports
from orchestration.reports.report_data import collect_report_data
from orchestration.reports.report_html import write_report
from orchestration.reports.run_checks import RunChecks
from orchestration.reports.warehouse import ReportError, connect_read_only, require_tables

__all__ = ["ReportError", "RunChecks", "write_outputs"]

REQUIRED_TABLES = (
    "marts.sends_checked",
    "marts.violations",
    "marts.alignment_gaps",
    "marts.load_audit",
    "marts.application_suppressions",
)


def write_outputs(warehouse: Path, output: Path, checks: RunChecks | None = None) -> list[Path]:
    """report.html, violations.csv, alignment_gaps.csv and suppression/<application>.csv.

    ``checks``: the run's check outcomes, named in the report's first lines (None outside a run).
    Checks every source first, so a missing table fails before any file is replaced.
    """
    output = Path(output)
    connection = connect_read_only(Path(warehouse))
    try:
        require_tables(connection, *REQUIRED_TABLES)
        data = collect_report_data(connection, Path(warehouse).name, datetime.now(UTC), checks)
        written = [write_report(data, output / "report.html")]
        written += write_exports(connection, output)
    finally:
        connection.close()
    return written
