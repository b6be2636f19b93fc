"""An incremental run (yesterday's warehouse + today's exports) equals a full rebuild over the
same files: the send-level marts are built incrementally, so this is the proof they are right."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from identity.harness import build

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


# stg_landing__sends is built incrementally too: compared without the load that brought a version
STAGED_SENDS = "select * exclude (load_id, source_file, source_line) from staging.stg_landing__sends"
CORRECTIONS = "sends/zz_corrections.csv"  # loaded after every other sends file, in either build
CORRECTED_ROWS = 6


def _run(landing: Path, warehouse: Path, output: Path, policy: dict[str, object] | None = None) -> None:
    """The pipeline's ingestion and dbt build in process (tests/identity/harness.py): the checks,
    report and docs a `softspam run` adds do not change the marts compared here."""
    build(landing, warehouse, output.with_suffix(".policy.yml"), policy, AS_OF)


def _write_corrections(landing: Path, target: Path) -> list[tuple[str, str]]:
    """Re-export a few sends already landed, corrected (no opt-out link; the first one consent-based
    and without its controller): a newer version of each replaces the landed one."""
    with (landing / "sends" / "sends_2024-02.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, [row for row, _ in zip(reader, range(CORRECTED_ROWS), strict=False)]
    for row in rows:
        row["has_opt_out_link"] = "no"
    rows[0].update(legal_basis="consent", controller="")
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return [(row["source_system"].strip().lower(), row["send_id"].strip()) for row in rows]


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
    corrected = _write_corrections(landing, held_back / CORRECTIONS)
    incremental = tmp_path / "incremental.duckdb"
    _run(landing, incremental, tmp_path / "out_incremental")
    before = _rows(incremental, "select count(*) from marts.sends_checked")
    for relative in (*ARRIVING_LATER, CORRECTIONS):
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
    # the corrected versions replaced the landed ones: one row each, judged on the new facts
    checked = _rows(incremental, "select source_system, send_id, has_opt_out_link from marts.sends_checked")
    assert [row for row in checked if row[:2] in corrected] == sorted((*key, False) for key in corrected)
    for table, sql in {**COMPARED, "staging.stg_landing__sends": STAGED_SENDS}.items():
        assert _rows(incremental, sql) == _rows(full, sql), table


def test_a_new_controller_setting_restages_the_sends_that_named_none(tmp_path: Path) -> None:
    """Sends without a controller take the configured one: a run with another one re-derives them
    (in the incrementally built staging table too), as a full rebuild with that setting would."""
    landing = tmp_path / "landing"
    subprocess.run([SOFTSPAM, "demo", "--scale", "300", "--out", str(landing)], check=True)
    policy = {"controller": "other_shop_spa"}
    incremental = tmp_path / "incremental.duckdb"
    _run(landing, incremental, tmp_path / "out_incremental")
    _run(landing, incremental, tmp_path / "out_incremental", policy)
    full = tmp_path / "full.duckdb"
    _run(landing, full, tmp_path / "out_full", policy)

    defaulted = "select distinct controller from staging.stg_landing__sends where is_controller_defaulted"
    assert _rows(incremental, defaulted) == [("other_shop_spa",)]
    for table, sql in {**COMPARED, "staging.stg_landing__sends": STAGED_SENDS}.items():
        assert _rows(incremental, sql) == _rows(full, sql), table
