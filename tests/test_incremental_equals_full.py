"""An incremental run (yesterday's warehouse + today's exports) equals a full rebuild over the
same files: the send-level marts are built incrementally, so this is the proof they are right."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow

SOFTSPAM = shutil.which("softspam", path=str(Path(sys.executable).parent)) or "softspam"
AS_OF = "2026-11-01T00:00:00+00:00"
# Exports that arrive "today": late sends, a late objection file, late consents and sales, so
# that earlier sends of the persons concerned must be judged again.
ARRIVING_LATER = (
    "sends/sends_2026-10.csv",
    "oppositions/crm_oppositions.csv",
    "consents/preference_center_consents.csv",
    "sales/pos_2026.csv",
)
COMPARED = {
    "marts.sends_checked": "select * exclude (source_file, source_line) from marts.sends_checked",
    "marts.violations": "select * from marts.violations",
    "marts.alignment_gaps": "select * from marts.alignment_gaps",
    "marts.audience_eligibility": "select * from marts.audience_eligibility",
    "marts.suppression_list": "select * from marts.suppression_list",
    "marts.soft_spam_authorizations": "select * from marts.soft_spam_authorizations",
}


def _run(landing: Path, warehouse: Path, output: Path) -> None:
    completed = subprocess.run(
        [SOFTSPAM, "run", "--landing", str(landing), "--warehouse", str(warehouse),
         "--output", str(output), "--as-of", AS_OF],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return sorted(connection.execute(sql).fetchall(), key=repr)


def test_incremental_run_equals_full_rebuild(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    subprocess.run([SOFTSPAM, "demo", "--scale", "300", "--out", str(landing)], check=True)

    # yesterday: everything but today's files, then today's files on top (incremental)
    held_back = tmp_path / "held_back"
    for relative in ARRIVING_LATER:
        (held_back / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.move(landing / relative, held_back / relative)
    incremental = tmp_path / "incremental.duckdb"
    _run(landing, incremental, tmp_path / "out_incremental")
    before = _rows(incremental, "select count(*) from marts.sends_checked")
    for relative in ARRIVING_LATER:
        shutil.move(held_back / relative, landing / relative)
    _run(landing, incremental, tmp_path / "out_incremental")

    # the same files at once, on an empty warehouse
    full = tmp_path / "full.duckdb"
    _run(landing, full, tmp_path / "out_full")

    assert before != _rows(incremental, "select count(*) from marts.sends_checked")
    rejudged = _rows(
        incremental,
        "select count(distinct judged_at) from intermediate.int_sends_evaluated",
    )
    assert rejudged == [(2,)], "the second run judged only what changed"
    for table, sql in COMPARED.items():
        assert _rows(incremental, sql) == _rows(full, sql), table
