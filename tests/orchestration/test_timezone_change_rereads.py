"""A change of the `timezone` policy between two `softspam run`s re-reads every landed local time:
the verdicts then equal those of a fresh warehouse built under the new policy."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow

SOFTSPAM = shutil.which("softspam", path=str(Path(sys.executable).parent)) or "softspam"
AS_OF = "2026-06-01T00:00:00+00:00"
SENDS_HEADER = (
    "send_id,campaign_id,channel,email,promoted_category,legal_basis,sent_at,has_opt_out_link,source_system"
)
# Local times (no offset) whose verdicts depend on the zone: read in Rome the sale comes before
# the send at 12:00 UTC, read in New York (15:00 UTC) after it; the objection likewise.
FILES = {
    "sales/shop.csv": (
        "order_id,line_id,email,product_category,ordered_at,source_system\n"
        "O1,1,anna@example.com,audio,2026-03-01 10:00:00,ecommerce\n"
        "O2,1,bruno@example.com,audio,2026-03-01T08:00:00+00:00,ecommerce\n"
    ),
    "sales/orders_export.csv": (
        "Name,Email,Financial Status,Total,Created at,Lineitem sku,Cancelled at\n"
        "#1001,carla@example.com,paid,10,2026-03-01 09:00:00,AUD-001,\n"
        "#1002,dario@example.com,paid,10,2026-03-01 09:00:00,AUD-001,not a date\n"
    ),
    "sends/sends.csv": (
        f"{SENDS_HEADER}\n"
        "S1,C1,email,anna@example.com,audio,soft_spam,2026-03-01T12:00:00Z,true,esp\n"
        "S2,C1,email,bruno@example.com,audio,soft_spam,2026-03-01 12:30:00,true,esp\n"
        "S3,C1,email,carla@example.com,audio,soft_spam,2026-03-01T12:00:00Z,true,esp\n"
        "S4,C1,email,dario@example.com,audio,soft_spam,2026-03-01T12:00:00Z,true,esp\n"
        "S5,C1,email,anna@example.com,audio,soft_spam,2026-10-25 02:30:00,true,esp\n"
    ),
    "oppositions/crm.csv": (
        "opposition_id,email,scope,opposed_at,source_system\n"
        "P1,bruno@example.com,all_marketing,2026-03-01 13:00,crm\n"
    ),
}
COMPARED = {
    "sends_checked": "select * exclude (source_file, source_line) from marts.sends_checked order by all",
    "violations": "select * from marts.violations order by all",
    "findings": "select * from marts.data_quality_findings order by all",
}


def _run(landing: Path, warehouse: Path, output: Path, policy: Path) -> None:
    completed = subprocess.run(
        [SOFTSPAM, "run", "--landing", str(landing), "--warehouse", str(warehouse), "--output", str(output),
         "--policy", str(policy), "--as-of", AS_OF],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr + completed.stdout


def _policy(tmp_path: Path, timezone: str) -> Path:
    path = tmp_path / f"policy_{timezone.replace('/', '_')}.yml"
    path.write_text(f"timezone: {timezone}\n", encoding="utf-8")
    return path


def _marts(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        return {name: con.execute(sql).fetchall() for name, sql in COMPARED.items()}


def test_a_timezone_change_equals_a_fresh_build(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    for name, text in FILES.items():
        (landing / name).parent.mkdir(parents=True, exist_ok=True)
        (landing / name).write_text(text, encoding="utf-8")
    rome, new_york = _policy(tmp_path, "Europe/Rome"), _policy(tmp_path, "America/New_York")
    changed, fresh = tmp_path / "changed" / "w.duckdb", tmp_path / "fresh" / "w.duckdb"

    _run(landing, changed, tmp_path / "out_changed", rome)
    in_rome = _marts(changed)
    _run(landing, changed, tmp_path / "out_changed", new_york)
    _run(landing, fresh, tmp_path / "out_fresh", new_york)

    assert _marts(changed) == _marts(fresh)
    assert _marts(changed)["violations"] != in_rome["violations"]
    finding_types = {row[0] for row in in_rome["findings"]}
    assert {"unreadable_cancelled_at", "ambiguous_local_time"} <= finding_types
