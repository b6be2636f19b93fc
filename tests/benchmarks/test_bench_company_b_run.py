"""Company B at 300 persons, its extra day included, through the installed `softspam run`: every
file reads, only the rows planted unreadable are quarantined, and the lean baseline
(benchmarks/baseline.py) finds what marts.violations finds, rule by rule, as the benchmark harness
checks at every scale."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from benchmarks import baseline
from benchmarks.incremental_day import write_day
from benchmarks.run import AS_OF, mart_counts
from benchmarks.shapes import company_b

pytestmark = pytest.mark.slow

SOFTSPAM = shutil.which("softspam", path=str(Path(sys.executable).parent)) or "softspam"


def _distinct_files(landing: Path) -> int:
    """Files the warehouse loads: one per content and place (formats.md 1.1), so a suppression
    snapshot equal to the application's previous one is not loaded again."""
    found = set()
    for path in landing.rglob("*.csv"):
        parts = path.relative_to(landing).parts
        place = "/".join(parts[:2]) if parts[0] in ("suppressions", "reference") else parts[0]
        found.add((place, hashlib.sha256(path.read_bytes()).hexdigest()))
    return len(found)


@pytest.fixture(scope="module")
def company_b_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("company_b_run")
    paths = {"landing": root / "landing", "warehouse": root / "w.duckdb", "output": root / "out"}
    company_b.generate(paths["landing"], 300)
    # one more day after the applications' last snapshots: a consent then lifts nothing they owed
    write_day(paths["landing"], shape=company_b.DAY)
    completed = subprocess.run(
        [
            SOFTSPAM, "run",
            "--landing", str(paths["landing"]),
            "--warehouse", str(paths["warehouse"]),
            "--output", str(paths["output"]),
            "--as-of", AS_OF,
        ],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    return paths


def test_every_file_reads_and_only_the_planted_rows_are_quarantined(company_b_run: dict[str, Path]) -> None:
    landing = company_b_run["landing"]
    summary = json.loads((landing / company_b.SUMMARY).read_text())
    with duckdb.connect(str(company_b_run["warehouse"]), read_only=True) as con:
        statuses = dict(con.execute("select status, count(*) from marts.load_audit group by 1").fetchall())
        unreconciled = con.execute("select count(*) from marts.load_audit where not is_reconciled")
        unreconciled = unreconciled.fetchone()[0]
        quarantined = set(con.execute("select file_name, line_number from raw.quarantine").fetchall())
    assert sum(statuses.values()) == _distinct_files(landing)
    assert "quarantined" not in statuses, statuses
    assert unreconciled == 0
    assert quarantined == {(row["file"], row["line"]) for row in summary["planted_unreadable_rows"]}


def test_the_baseline_agrees_with_the_marts_rule_by_rule(company_b_run: dict[str, Path]) -> None:
    marts = mart_counts(company_b_run["warehouse"])
    lean = baseline.run(company_b_run["landing"], AS_OF)
    assert lean["violations"] == marts["violations"]
    assert len(marts["violations"]) == 9, "every rule should fire on company B"
    assert (lean["sends"], lean["alignment_gaps"]) == (marts["sends"], marts["alignment_gaps"])
    assert (lean["eligibility_email_rows"], lean["eligible"]) == (
        marts["eligibility_email_rows"],
        marts["eligible"],
    )
