"""A DuckDB file held open by someone else (an analyst's session): one clear line, nothing started.

Two `softspam run`s at once are in test_rel_crash_and_concurrency.py; the lock file itself in
tests/orchestration/test_orch_sensor_and_lock.py.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from reliability_helpers import SENDS_HEADER, SOFTSPAM, clean_env, send_line, write

from orchestration.assets.resources import SoftspamSettings
from orchestration.run_lock import WarehouseUnavailableError, ensure_not_open_elsewhere, is_locked

ANALYST = textwrap.dedent(
    """
    import sys, time
    import duckdb
    connection = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "ro")
    print("open", flush=True)
    time.sleep(float(sys.argv[3]))
    """
)


def _warehouse(tmp_path: Path) -> Path:
    warehouse = tmp_path / "warehouse" / "softspam.duckdb"
    warehouse.parent.mkdir(parents=True)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema raw; create table raw.kept as select 42 as answer")
    return warehouse


def _analyst(warehouse: Path, mode: str, seconds: float = 60) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", ANALYST, str(warehouse), mode, str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "open"
    return process


@pytest.fixture(params=["rw", "ro"], ids=["read-write", "read-only"])
def analyst(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    warehouse = _warehouse(tmp_path)
    process = _analyst(warehouse, request.param)
    yield warehouse, process
    process.kill()
    process.wait()


def test_run_refuses_with_one_line_naming_the_other_process(
    analyst: tuple[Path, subprocess.Popen[str]], tmp_path: Path
) -> None:
    warehouse, process = analyst
    landing = tmp_path / "landing"
    write(landing, "sends/a.csv", f"{SENDS_HEADER}\n{send_line('s1', '2026-03-01 10:00')}\n")
    started = time.monotonic()

    completed = subprocess.run(
        [
            SOFTSPAM,
            "run",
            "--landing",
            str(landing),
            "--warehouse",
            str(warehouse),
            "--output",
            str(tmp_path / "o"),
        ],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.splitlines() == [
        f"softspam run: could not run: the warehouse {warehouse} is open in another process "
        f"(PID {process.pid}, {Path(sys.executable).resolve().name}): "
        "close that session (even a read-only one) and run again; readers open the published copy "
        f"{warehouse.parent / 'softspam.published' / 'softspam.duckdb'}"
    ]
    assert time.monotonic() - started < 30  # refused before Dagster and dbt start
    assert not (tmp_path / "o").exists()
    assert not is_locked(warehouse)
    process.kill()
    process.wait()
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        assert connection.execute("select answer from raw.kept").fetchall() == [(42,)]
        tables = connection.execute(
            "select table_name from duckdb_tables() where schema_name = 'raw'"
        ).fetchall()
    assert tables == [("kept",)]  # nothing was ingested


def test_dagster_run_resource_refuses_too(
    analyst: tuple[Path, subprocess.Popen[str]], tmp_path: Path
) -> None:
    warehouse, process = analyst
    resource = SoftspamSettings(warehouse=str(warehouse), landing=str(tmp_path), output=str(tmp_path / "o"))

    with pytest.raises(WarehouseUnavailableError, match=rf"is open in another process \(PID {process.pid},"):
        with resource.yield_for_execution(dg.build_init_resource_context()):
            pass
    assert not is_locked(warehouse)  # the lock file is released on the way out


def test_waiting_run_proceeds_once_the_analyst_closes(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path)
    process = _analyst(warehouse, "ro", seconds=1.0)
    try:
        started = time.monotonic()
        ensure_not_open_elsewhere(warehouse, wait_seconds=30)
        assert 0.0 < time.monotonic() - started < 30
    finally:
        process.kill()
        process.wait()


def test_missing_warehouse_is_not_in_use(tmp_path: Path) -> None:
    ensure_not_open_elsewhere(tmp_path / "absent.duckdb")
    assert not (tmp_path / "absent.duckdb").exists()


def test_unreadable_warehouse_is_one_line(tmp_path: Path) -> None:
    warehouse = tmp_path / "softspam.duckdb"
    warehouse.write_bytes(b"this is not a DuckDB file, just text long enough to have a header" * 100)

    with pytest.raises(WarehouseUnavailableError) as raised:
        ensure_not_open_elsewhere(warehouse)

    message = str(raised.value)
    assert message.startswith(f"the warehouse {warehouse.resolve()} cannot be opened: ")
    assert "\n" not in message
