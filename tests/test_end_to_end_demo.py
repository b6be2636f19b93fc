"""The whole product on the demo company, through the installed `softspam` command: every
planted and background violation found, nothing else; every file reconciled; every send judged."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow

SOFTSPAM = shutil.which("softspam", path=str(Path(sys.executable).parent)) or "softspam"


def _expected(landing: Path, name: str) -> list[dict[str, str]]:
    with (landing / "_expected" / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("demo")
    paths = {
        "landing": root / "landing",
        "warehouse": root / "wh" / "softspam.duckdb",
        "output": root / "out",
    }
    subprocess.run([SOFTSPAM, "demo", "--scale", "300", "--out", str(paths["landing"])], check=True)
    completed = subprocess.run(
        [
            SOFTSPAM, "run",
            "--landing", str(paths["landing"]),
            "--warehouse", str(paths["warehouse"]),
            "--output", str(paths["output"]),
            "--as-of", "2026-11-01T00:00:00+00:00",
        ],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    paths["stdout"] = completed.stdout  # type: ignore[assignment]
    return paths


def _query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_violations_equal_the_ground_truth(demo_run: dict[str, Path]) -> None:
    sql = "select send_id, source_system, rule_code from marts.violations"
    found = set(_query(demo_run["warehouse"], sql))
    expected = {
        (row["send_id"], row["source_system"], row["rule_code"])
        for row in _expected(demo_run["landing"], "violations.csv")
    }
    assert found - expected == set(), "violations the ground truth does not have"
    assert expected - found == set(), "planted violations not found"


def test_every_send_is_judged_once_with_its_violation_count(demo_run: dict[str, Path]) -> None:
    found = dict(
        ((send_id, source), count)
        for send_id, source, count in _query(
            demo_run["warehouse"], "select send_id, source_system, violation_count from marts.sends_checked"
        )
    )
    expected = {
        (row["send_id"], row["source_system"]): int(row["violation_count"])
        for row in _expected(demo_run["landing"], "sends.csv")
    }
    assert found == expected


def test_alignment_gaps_equal_the_ground_truth(demo_run: dict[str, Path]) -> None:
    sql = "select application, email, opposition_id from marts.alignment_gaps"
    found = set(_query(demo_run["warehouse"], sql))
    expected = {
        (row["application"], row["email"], row["opposition_id"])
        for row in _expected(demo_run["landing"], "alignment_gaps.csv")
    }
    assert found == expected


def test_quarantined_rows_are_exactly_the_planted_ones(demo_run: dict[str, Path]) -> None:
    found = {
        (file_name, line, reason.split(" ")[0])
        for file_name, line, reason in _query(
            demo_run["warehouse"], "select file_name, line_number, reason from raw.quarantine"
        )
    }
    expected = {
        (row["file_name"], int(row["line_number"]), row["reason_prefix"])
        for row in _expected(demo_run["landing"], "quarantine.csv")
    }
    assert found == expected


def test_every_file_reconciles(demo_run: dict[str, Path]) -> None:
    rows = _query(
        demo_run["warehouse"],
        "select file_name, rows_read, rows_loaded, rows_quarantined from marts.load_audit",
    )
    landed = {
        path.relative_to(demo_run["landing"]).as_posix()
        for path in demo_run["landing"].rglob("*.csv")
        if not path.relative_to(demo_run["landing"]).as_posix().startswith("_expected")
    }
    assert {row[0] for row in rows} == landed
    assert [row for row in rows if row[1] != row[2] + row[3]] == []


def test_the_summary_and_the_outputs(demo_run: dict[str, Path]) -> None:
    expected_violations = len(_expected(demo_run["landing"], "violations.csv"))
    expected_sends = len(_expected(demo_run["landing"], "sends.csv"))
    summary = str(demo_run["stdout"])
    assert f"sends judged: {expected_sends}" in summary
    assert f"violations: {expected_violations}" in summary
    output = demo_run["output"]
    for name in ("report.html", "violations.csv", "alignment_gaps.csv", "dbt_docs.html"):
        assert (output / name).stat().st_size > 0, name
    # the dbt docs site is one offline page that documents the public marts
    docs = (output / "dbt_docs.html").read_text(encoding="utf-8")
    assert "model.softspam.audience_eligibility" in docs
    with (output / "violations.csv").open(encoding="utf-8", newline="") as handle:
        assert sum(1 for _ in csv.DictReader(handle)) == expected_violations
    assert sorted(path.name for path in (output / "suppression").iterdir()) == [
        "crm.csv",
        "crm.delta.csv",
        "mailchimp.csv",
        "mailchimp.delta.csv",
        "mailchimp.mailchimp_unsubscribe.csv",
        "sms_gateway.csv",
        "sms_gateway.delta.csv",
    ]


def test_a_second_run_loads_nothing_and_changes_nothing(demo_run: dict[str, Path]) -> None:
    judged = "select count(*), sum(violation_count) from marts.sends_checked"
    before = _query(demo_run["warehouse"], judged)
    ledger_before = _query(demo_run["warehouse"], "select count(*) from raw.load_ledger")
    completed = subprocess.run(
        [
            SOFTSPAM, "run",
            "--landing", str(demo_run["landing"]),
            "--warehouse", str(demo_run["warehouse"]),
            "--output", str(demo_run["output"]),
            "--as-of", "2026-11-01T00:00:00+00:00",
        ],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert _query(demo_run["warehouse"], "select count(*) from raw.load_ledger") == ledger_before
    assert _query(demo_run["warehouse"], judged) == before
