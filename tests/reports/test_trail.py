from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.cli import main
from orchestration.cli.trail import trail_command
from orchestration.reports.trail import format_trail_text, load_trail, person_key_of

from .fixture_warehouse import ANNA, build_fixture_warehouse, person_key


def test_person_key_matches_the_warehouse_definition() -> None:
    assert person_key_of("  Anna.Rossi@Example.IT ") == person_key(ANNA)


def test_timeline_is_ordered_by_event_time(warehouse: Path) -> None:
    trail = load_trail(warehouse, " ANNA.ROSSI@example.it")
    assert [(event["event_type"], event["source_ref"]) for event in trail.timeline] == [
        ("sale", "O-1:1"),
        ("opposition", "OPP-7"),
        ("send", "S1"),
    ]
    assert [(row["product_category"], row["blocking_reason"]) for row in trail.eligibility] == [
        ("audio", "OPPOSED"),
        ("smartphones", "OPPOSED"),
    ]


def test_text_trail_is_a_readable_table(warehouse: Path) -> None:
    text = format_trail_text(load_trail(warehouse, ANNA))
    lines = text.splitlines()
    assert lines[0] == f"Person {person_key(ANNA)}"
    assert "Timeline (3 events, times UTC)" in lines
    sale_line = next(line for line in lines if " sale " in line)
    assert sale_line.split()[:5] == ["2023-01-05", "15:20:00", "sale", "ecommerce", "O-1:1"]
    assert "Eligibility (evaluated at 2026-03-01 00:00:00 UTC)" in lines
    assert any(line.split() == ["audio", "email", "no", "-", "OPPOSED"] for line in lines)


def run_trail(warehouse: Path, email: str, output_format: str, capsys: pytest.CaptureFixture[str]) -> str:
    exit_code = trail_command(argparse.Namespace(email=email, format=output_format, warehouse=str(warehouse)))
    assert exit_code == 0
    return capsys.readouterr().out


def test_json_trail_is_one_object(published_warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = json.loads(run_trail(published_warehouse, ANNA, "json", capsys))
    assert document["known"] is True
    assert document["person_key"] == person_key(ANNA)
    assert [event["event_at"] for event in document["timeline"]] == [
        "2023-01-05T15:20:00Z",
        "2026-01-20T10:00:00Z",
        "2026-02-02T09:00:00Z",
    ]
    assert document["eligibility"][0] == {
        "product_category": "audio",
        "channel": "email",
        "is_eligible": False,
        "legal_basis": None,
        "blocking_reason": "OPPOSED",
    }


def test_unknown_address_is_said_and_exits_zero(
    published_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = run_trail(published_warehouse, "nobody@example.it", "text", capsys)
    assert text.startswith("nobody@example.it is not known to the warehouse")
    document = json.loads(run_trail(published_warehouse, "nobody@example.it", "json", capsys))
    assert (document["known"], document["timeline"], document["eligibility"]) == (False, [], [])


@pytest.mark.parametrize("built", [False, True], ids=["no warehouse", "warehouse never published"])
def test_no_published_copy_exits_with_a_reason(
    built: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = build_fixture_warehouse(tmp_path / "softspam.duckdb") if built else tmp_path / "none.duckdb"
    assert main(["trail", ANNA, "--warehouse", str(warehouse)]) == 2
    assert capsys.readouterr().err == (
        f"error: no published copy of the warehouse {warehouse} yet "
        f"(in {warehouse.with_suffix('.published')}): run `softspam run` first\n"
    )


# Holds the warehouse open for writing, as a run does, after changing what the trail would show.
WRITER = """
import sys, time
import duckdb
connection = duckdb.connect(sys.argv[1])
connection.execute("delete from marts.person_timeline")
print("writing", flush=True)
time.sleep(60)
"""


def test_trail_reads_the_published_copy_not_the_warehouse_being_written(
    published_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(published_warehouse)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
        document = json.loads(run_trail(published_warehouse, ANNA, "json", capsys))
    finally:
        writer.kill()
        writer.wait()
    assert len(document["timeline"]) == 3
