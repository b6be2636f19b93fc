"""Crashes (SIGKILL in ingestion, dbt and report publishing), two runs at once, nothing lost.

The scenario is the session fixture ``lifecycle`` (conftest.py); each test checks one step.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    FORMULA,
    HOSTILE_SENDS,
    HOSTILE_SENDS_FILE,
    HOSTILE_VIOLATIONS,
    INJECTION,
    OVERLONG_ADDRESS,
)
from reliability_helpers import query

from orchestration.ingestion import KINDS
from orchestration.ingestion.discovery import kind_files
from orchestration.ingestion.raw_schema import LANDED_TABLES

pytestmark = pytest.mark.slow


def _landing_files(landing: Path) -> set[tuple[str, str]]:
    return {(file.file_name, file.kind) for kind in KINDS for file in kind_files(landing, kind)}


def _rows_per_load(warehouse: Path) -> dict[int, int]:
    union = " union all ".join(f"select _load_id from raw.{table}" for table in LANDED_TABLES)  # noqa: S608
    return dict(query(warehouse, f"select _load_id, count(*) from ({union}) group by 1"))  # noqa: S608


def _expected(landing: Path, name: str) -> list[dict[str, str]]:
    with (landing / "_expected" / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _winner_and_loser(lifecycle: dict[str, Any]) -> tuple[Any, Any]:
    runs = sorted(lifecycle["d"]["runs"], key=lambda run: run.returncode)
    return runs[0], runs[1]


def test_kill_during_ingestion_leaves_only_whole_files(lifecycle: dict[str, Any]) -> None:
    ledger = lifecycle["a"]["ledger"]
    # the sends file being loaded was rolled back with its ledger row; other kinds are whole files
    assert [row for row in ledger if row[1] == "sends"] == []
    assert lifecycle["a"]["sends"] == 0
    assert all(read == loaded + quarantined for _, _, read, loaded, quarantined in ledger)


def test_kill_during_dbt_keeps_every_loaded_file_once(lifecycle: dict[str, Any]) -> None:
    names = [(name, kind) for name, kind, *_ in lifecycle["b"]["ledger"]]
    assert sorted(names) == sorted(_landing_files(lifecycle["landing"]))
    assert len(names) == len(set(names))


def test_kill_while_publishing_leaves_no_half_written_report(lifecycle: dict[str, Any]) -> None:
    step = lifecycle["c"]
    # paused between writing report.html's temporary file (whole) and renaming it: nothing published
    assert "report.html" not in step["files"]
    assert step["temporary_is_whole"] == [True]
    assert [name for name in step["files_after_kill"] if name.startswith(".report.html.")] == [
        name for name in step["files"] if name.startswith(".report.html.")
    ]


def test_two_runs_together_one_waits_out_with_one_line_and_the_other_completes(
    lifecycle: dict[str, Any],
) -> None:
    winner, loser = _winner_and_loser(lifecycle)
    warehouse = lifecycle["warehouse"]
    assert (winner.returncode, loser.returncode) == (0, 2)
    assert loser.stdout == ""
    assert loser.stderr.splitlines() == [
        f"softspam run: could not run: another softspam run is writing {warehouse}"
        f" (lock file {warehouse}.lock)"
    ]
    assert winner.stdout.splitlines()[:2] == [
        "softspam run: done",
        "  files: 0 loaded, 0 quarantined whole (0 rows quarantined)",  # B loaded everything already
    ]
    [failed_checks] = [line for line in winner.stdout.splitlines() if line.startswith("  failed checks: ")]
    assert "reconciliation" not in failed_checks and "gx_" not in failed_checks


def test_readers_never_saw_a_half_written_deliverable(lifecycle: dict[str, Any]) -> None:
    seen = lifecycle["d"]["seen"]
    assert seen["reads"] > 0
    assert seen["partial"] == []


def test_after_the_crashes_every_file_is_in_the_ledger_once_and_rows_add_up(
    lifecycle: dict[str, Any],
) -> None:
    warehouse = lifecycle["warehouse"]
    ledger = query(
        warehouse,
        "select load_id, file_name, kind, rows_read, rows_loaded, rows_quarantined, status"
        " from raw.load_ledger",
    )
    assert sorted((name, kind) for _, name, kind, *_ in ledger) == sorted(
        _landing_files(lifecycle["landing"])
    )
    assert [row for row in ledger if row[3] != row[4] + row[5]] == []
    per_load = _rows_per_load(warehouse)
    assert {load_id: loaded for load_id, _, _, _, loaded, _, _ in ledger if loaded} == per_load
    quarantined = dict(query(warehouse, "select load_id, count(*) from raw.quarantine group by 1"))
    assert {row[0]: row[5] for row in ledger if row[5] and row[6] != "quarantined"} == {
        load_id: n
        for load_id, n in quarantined.items()
        if load_id in {r[0] for r in ledger if r[6] != "quarantined"}
    }


def test_after_the_crashes_every_landed_send_is_judged_once_and_violations_are_exact(
    lifecycle: dict[str, Any],
) -> None:
    warehouse, landing = lifecycle["warehouse"], lifecycle["landing"]
    # exports overlap: a send may land in two files; each landed row is counted, each send judged once
    landed = query(
        warehouse,
        "select count(*), count(distinct (source_system, send_id)),"
        " (select sum(rows_loaded) from raw.load_ledger where kind = 'sends') from raw.sends",
    )[0]
    judged = query(
        warehouse, "select count(*), count(distinct (source_system, send_id)) from marts.sends_checked"
    )[0]
    expected_sends = len(_expected(landing, "sends.csv")) + len(HOSTILE_SENDS) - 1
    assert landed[1] == expected_sends and landed[0] == landed[2]
    assert judged == (expected_sends, expected_sends)
    found = set(query(warehouse, "select send_id, source_system, rule_code from marts.violations"))
    expected = {
        (r["send_id"], r["source_system"], r["rule_code"]) for r in _expected(landing, "violations.csv")
    }
    assert found == expected | HOSTILE_VIOLATIONS


def test_hostile_values_and_file_name_are_stored_verbatim_and_nothing_was_dropped(
    lifecycle: dict[str, Any],
) -> None:
    warehouse = lifecycle["warehouse"]
    rows = query(
        warehouse,
        "select send_id, campaign_id, email, _source_file from raw.sends where source_system = 'hostile_esp'"
        " order by _source_line",
    )
    assert rows == [
        (INJECTION, INJECTION, "injection@hostile.example.test", HOSTILE_SENDS_FILE),
        ("H-FORMULA", FORMULA, "not-an-address", HOSTILE_SENDS_FILE),
        ("H-OVERLONG", "c1", OVERLONG_ADDRESS, HOSTILE_SENDS_FILE),
    ]
    tables = {
        name
        for (name,) in query(warehouse, "select table_name from duckdb_tables() where schema_name = 'raw'")
    }
    assert set(LANDED_TABLES) <= tables


def test_formula_cells_reach_violations_csv_neutralised(lifecycle: dict[str, Any]) -> None:
    text = (lifecycle["output"] / "violations.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    formula_rows = [row for row in rows if row["send_id"] == "H-FORMULA"]
    assert sorted(row["rule_code"] for row in formula_rows) == ["CONSENT_MISSING", "NO_OPT_OUT_LINK"]
    assert {row["campaign_id"] for row in formula_rows} == {"'" + FORMULA}
    # no cell of the export starts with a formula trigger
    assert [cell for row in rows for cell in row.values() if cell[:1] in ("=", "+", "@", "\t", "\r")] == []
    assert len(rows) == query(lifecycle["warehouse"], "select count(*) from marts.violations")[0][0]


def test_leftover_temporary_files_of_the_killed_run_are_removed(lifecycle: dict[str, Any]) -> None:
    output = lifecycle["output"]
    assert sorted(p.name for p in output.rglob(".*.tmp")) == []
    assert (output / "report.html").read_text(encoding="utf-8").rstrip().endswith("</html>")


def test_landing_files_are_never_modified_or_deleted(lifecycle: dict[str, Any]) -> None:
    assert lifecycle["landing_after"] == lifecycle["landing_before"]
    assert HOSTILE_SENDS_FILE in lifecycle["landing_after"]
