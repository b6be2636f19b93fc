"""Readers never stop writers: an analyst holds the published copy open and queries it through a
whole `softspam run`; the run completes and publishes a build the analyst then opens.

(An analyst holding the warehouse file itself still stops a run, with one line: test_rel_locks.py.)
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from reliability_helpers import SENDS_HEADER, SOFTSPAM, clean_env, send_line, write

from orchestration.publish import analyst_path, latest_published

pytestmark = pytest.mark.slow

# Opens the path analysts are told to open, counts the sends until the stop file appears, then
# reports what it saw and what a fresh connection to the same path sees.
READER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    import duckdb

    path, stop = Path(sys.argv[1]), Path(sys.argv[2])
    sql = "select count(*) from marts.sends_checked"
    held = duckdb.connect(str(path), read_only=True)
    first = held.execute(sql).fetchone()[0]
    print(json.dumps({"sends": first}), flush=True)
    counts = set()
    queries = 0
    while not stop.exists():
        counts.add(held.execute(sql).fetchone()[0])
        queries += 1
        time.sleep(0.05)
    fresh = duckdb.connect(str(path), read_only=True)
    manifest = json.loads((path.parent / "latest.json").read_text())
    print(json.dumps({
        "queries": queries, "counts": sorted(counts), "held_after": held.execute(sql).fetchone()[0],
        "fresh": fresh.execute(sql).fetchone()[0], "latest_build": manifest["build_id"],
    }), flush=True)
    """
)


def _run(root: Path) -> subprocess.CompletedProcess[str]:
    arguments = ["--landing", "landing", "--warehouse", "warehouse/softspam.duckdb", "--output", "output"]
    return subprocess.run(
        [SOFTSPAM, "run", *arguments], cwd=root, env=clean_env(), capture_output=True, text=True, timeout=600
    )


def test_a_run_completes_and_publishes_while_an_analyst_holds_the_published_copy(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse" / "softspam.duckdb"
    write(tmp_path / "landing", "sends/first.csv", f"{SENDS_HEADER}\n{send_line('s1', '2026-03-01 10:00')}\n")
    first = _run(tmp_path)
    assert first.returncode == 0, first.stderr
    _, before = latest_published(warehouse)
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(analyst_path(warehouse)), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None
        assert json.loads(reader.stdout.readline()) == {"sends": 1}
        second_sends = f"{SENDS_HEADER}\n{send_line('s2', '2026-03-02 10:00')}\n"
        write(tmp_path / "landing", "sends/second.csv", second_sends)

        second = _run(tmp_path)

        stop.touch()
        seen = json.loads(reader.stdout.readline())
        assert reader.wait(timeout=30) == 0, reader.stderr.read() if reader.stderr else ""
    finally:
        reader.kill()
        reader.wait()
    assert second.returncode == 0, second.stderr
    assert second.stderr == ""
    _, after = latest_published(warehouse)
    assert after["build_id"] != before["build_id"]
    assert after["tables"]["marts.sends_checked"] == 2
    # every query through the run answered, from the build the reader opened
    assert seen["queries"] > 0 and seen["counts"] == [1] and seen["held_after"] == 1
    # and the same path opened again is the new build
    assert (seen["fresh"], seen["latest_build"]) == (2, after["build_id"])
