"""Each file loads in one transaction: a failure or a crash mid-file leaves nothing behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from ingestion_helpers import SENDS_HEADER, TZ, query, send_line, write

from orchestration.ingestion import ingest_kind
from orchestration.ingestion.hooks import InjectedFailure

_COUNTS = """select (select count(*) from raw.sends), (select count(*) from raw.load_ledger),
                    (select count(*) from raw.quarantine)"""


def _landing_with_quarantine(landing: Path) -> None:
    write(landing, "sends/a.csv", f"{SENDS_HEADER}\n{send_line('s1', '2026-03-01')}\n{send_line('', 'x')}\n")


def test_injected_failure_rolls_back_and_the_next_run_loads(
    landing: Path, warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _landing_with_quarantine(landing)
    monkeypatch.setenv("SOFTSPAM_FAIL_AT", "ingest:sends")

    with pytest.raises(InjectedFailure):
        ingest_kind(landing, warehouse, "sends", TZ)
    assert query(warehouse, _COUNTS) == [(0, 0, 0)]

    monkeypatch.delenv("SOFTSPAM_FAIL_AT")
    [load] = ingest_kind(landing, warehouse, "sends", TZ)
    assert (load.rows_loaded, load.rows_quarantined) == (1, 1)
    assert query(warehouse, _COUNTS) == [(1, 1, 1)]


def test_failure_at_another_kind_does_not_stop_this_one(
    landing: Path, warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _landing_with_quarantine(landing)
    monkeypatch.setenv("SOFTSPAM_FAIL_AT", "ingest:sales")

    assert len(ingest_kind(landing, warehouse, "sends", TZ)) == 1


def test_killed_process_mid_file_leaves_nothing(landing: Path, warehouse: Path) -> None:
    _landing_with_quarantine(landing)
    script = (
        "import sys; from pathlib import Path; from orchestration.ingestion import ingest_kind; "
        "ingest_kind(Path(sys.argv[1]), Path(sys.argv[2]), 'sends', 'Europe/Rome')"
    )
    env = {**os.environ, "SOFTSPAM_PAUSE_AT": "ingest:sends"}
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(landing), str(warehouse)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stderr is not None
        assert "SOFTSPAM_PAUSE_AT=ingest:sends: paused" in child.stderr.readline()
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=30)

    assert query(warehouse, _COUNTS) == [(0, 0, 0)]
    assert len(ingest_kind(landing, warehouse, "sends", TZ)) == 1
    assert query(warehouse, _COUNTS) == [(1, 1, 1)]
