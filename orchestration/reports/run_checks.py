"""The checks of a pipeline run, as the report's first lines show them (docs/formats.md section 4).

Two sources: the run's asset check evaluations (gx_<kind>, rule_<code>, reconciliation and the dbt
tests Dagster maps to checks), and dbt's run_results.json of the run's test invocation, which also
holds the dbt tests that are not asset checks (singular tests across several models).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SUMMARY_ITEMS = 3
MESSAGE_CHARS = 200
# dbt test statuses that fail a check, and the severity Dagster gives each.
DBT_FAILED_STATUSES = {"fail": "ERROR", "error": "ERROR", "warn": "WARN"}


@dataclass(frozen=True)
class CheckOutcome:
    """One failed check: its name, what it checks, its severity and what it found."""

    name: str
    target: str
    severity: str  # ERROR or WARN
    summary: str = ""


@dataclass(frozen=True)
class RunChecks:
    evaluated: int  # asset check results of the run
    failed: list[CheckOutcome] = field(default_factory=list)
    # planned in the run but without a result when the report was written (e.g. the check's step failed)
    not_evaluated: list[str] = field(default_factory=list)


def _ordered(failed: Iterable[CheckOutcome]) -> list[CheckOutcome]:
    return sorted(failed, key=lambda check: (check.severity != "ERROR", check.name, check.target))


def summarise_metadata(metadata: Mapping[str, Any]) -> str:
    """The check's first few counts, e.g. 'violations 3'; metadata values or plain numbers."""
    items = []
    for key, value in metadata.items():
        raw = getattr(value, "value", value)
        if isinstance(raw, bool) or not isinstance(raw, int | float) or "duration" in key.lower():
            continue
        items.append(f"{key.removeprefix('dagster_dbt/').replace('_', ' ')} {raw:,}")
        if len(items) == SUMMARY_ITEMS:
            break
    return ", ".join(items)


def dbt_test_name(unique_id: str) -> str:
    """``test.softspam.unique_x.1a2b3c`` -> ``unique_x``: the name Dagster gives the check."""
    parts = unique_id.split(".")
    return parts[2] if len(parts) > 2 else unique_id


def failed_dbt_tests(run_results: Mapping[str, Any]) -> list[CheckOutcome]:
    """The failed data tests of one dbt invocation's run_results.json (unit tests are CI's)."""
    failed = []
    for result in run_results.get("results", []):
        unique_id = result.get("unique_id") or ""
        status = str(result.get("status") or "").lower()
        if not unique_id.startswith("test.") or status not in DBT_FAILED_STATUSES:
            continue
        message = " ".join(str(result.get("message") or status).split())[:MESSAGE_CHARS]
        failures = result.get("failures")
        summary = f"{failures:,} failing rows" if isinstance(failures, int) and failures else message
        severity = DBT_FAILED_STATUSES[status]
        failed.append(CheckOutcome(dbt_test_name(unique_id), "dbt test", severity, summary))
    return failed


def read_test_run_results(path: Path, not_before: float | None = None) -> list[CheckOutcome]:
    """Failed tests from ``path`` when it is the run_results.json of a `dbt test` written at or
    after ``not_before`` (a POSIX time), else none: a build's or an older run's file says nothing
    about this run."""
    path = Path(path)
    try:
        if not_before is not None and path.stat().st_mtime < not_before:
            return []
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if (document.get("args") or {}).get("which") != "test":
        return []
    return failed_dbt_tests(document)


def combine(
    evaluated: int,
    failed: Iterable[CheckOutcome],
    dbt_failed: Iterable[CheckOutcome] = (),
    not_evaluated: Iterable[str] = (),
) -> RunChecks:
    """The run's checks; a dbt test that is also an asset check is named once."""
    failed = list(failed)
    known = {check.name for check in failed}
    extra = [check for check in dbt_failed if check.name not in known]
    return RunChecks(
        evaluated=evaluated,
        failed=_ordered(failed + extra),
        not_evaluated=sorted(set(not_evaluated)),
    )
