"""The landing sensor requests a run for new files only; one writer at a time."""

import subprocess
import sys
import textwrap
import time

import dagster as dg
import pytest
from orch_landing_files import write_landing

from orchestration.assets.resources import SoftspamSettings
from orchestration.cli import main
from orchestration.cli.run import _failure_reason
from orchestration.ingestion import ingest_kind
from orchestration.run_lock import WarehouseLockedError, is_locked, warehouse_lock
from orchestration.sensors import landing_folder_sensor, pending_run_key


@pytest.fixture
def landing_env(tmp_path, monkeypatch):
    landing = write_landing(tmp_path / "landing", {"sends/a.csv": "send_id,campaign_id\n"})
    warehouse = tmp_path / "warehouse" / "softspam.duckdb"
    monkeypatch.setenv("SOFTSPAM_LANDING", str(landing))
    monkeypatch.setenv("SOFTSPAM_WAREHOUSE", str(warehouse))
    monkeypatch.delenv("SOFTSPAM_POLICY", raising=False)
    return landing, warehouse


def _tick():
    with dg.instance_for_test() as instance:
        return landing_folder_sensor.evaluate_tick(dg.build_sensor_context(instance=instance))


def test_sensor_requests_one_run_keyed_by_the_new_files_hashes(landing_env):
    from orchestration.ingestion import pending_files

    landing, warehouse = landing_env
    pending = pending_files(landing, warehouse)
    (request,) = _tick().run_requests
    assert request.run_key == pending_run_key([p.content_sha256 for p in pending])
    assert request.tags["softspam/warehouse"] == "write"
    assert _tick().run_requests[0].run_key == request.run_key  # same files, same key: Dagster dedups


def test_sensor_skips_files_already_loaded(landing_env):
    landing, warehouse = landing_env
    ingest_kind(landing, warehouse, "sends", "Europe/Rome")
    tick = _tick()
    assert tick.run_requests == []
    assert "no new files" in tick.skip_message


def test_sensor_skips_while_a_run_writes(landing_env):
    _, warehouse = landing_env
    with warehouse_lock(warehouse):
        tick = _tick()
    assert tick.run_requests == []
    assert "writing the warehouse" in tick.skip_message


def test_run_key_ignores_order():
    assert pending_run_key(["b", "a"]) == pending_run_key(["a", "b"]) != pending_run_key(["a"])


HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from orchestration.run_lock import warehouse_lock
    with warehouse_lock(Path(sys.argv[1])):
        print("locked", flush=True)
        time.sleep(60)
    """
)


@pytest.fixture
def other_writer(tmp_path):
    """Another process holding the warehouse lock, like a run already in progress."""
    warehouse = tmp_path / "warehouse" / "softspam.duckdb"
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(warehouse)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "locked"
    yield warehouse
    process.kill()
    process.wait()


def test_second_cli_run_exits_with_one_clear_line(other_writer, tmp_path, capsys):
    landing = write_landing(tmp_path / "landing", {"sends/a.csv": "send_id\n"})
    code = main(
        ["run", "--landing", str(landing), "--warehouse", str(other_writer), "--output", str(tmp_path / "o")]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1
    assert err[0].startswith(f"softspam run: could not run: another softspam run is writing {other_writer}")
    assert not other_writer.exists()  # nothing was written


def test_dagster_run_fails_while_another_process_writes(other_writer, tmp_path):
    from orchestration.definitions import defs

    resource_config = {
        "warehouse": str(other_writer),
        "landing": str(tmp_path),
        "output": str(tmp_path / "o"),
    }
    result = defs.resolve_job_def("softspam_job").execute_in_process(
        run_config={"resources": {"softspam": {"config": resource_config}}}, raise_on_error=False
    )
    assert not result.success
    assert result.get_asset_materialization_events() == []
    assert _failure_reason(result).startswith(f"another softspam run is writing {other_writer}")


def test_lock_waits_then_gives_up(other_writer):
    started = time.monotonic()
    with pytest.raises(WarehouseLockedError, match="another softspam run is writing"):
        with warehouse_lock(other_writer, wait_seconds=0.5):
            pass
    assert time.monotonic() - started >= 0.5


def test_lock_is_reentrant_in_one_process_and_released(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    with warehouse_lock(warehouse), warehouse_lock(warehouse):
        assert is_locked(warehouse)
    assert not is_locked(warehouse)


def test_resource_holds_the_lock_for_the_run(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    resource = SoftspamSettings(warehouse=str(warehouse), landing=str(tmp_path), output=str(tmp_path / "o"))
    with resource.yield_for_execution(dg.build_init_resource_context()):
        assert is_locked(warehouse)
    assert not is_locked(warehouse)
