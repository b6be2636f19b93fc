"""The load ledger: content-hash identity, increasing load ids, pending files, warehouse lock."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from ingestion_helpers import SENDS_HEADER, TZ, query, send_line, write

from orchestration.ingestion import ensure_raw_schema, ingest_kind, pending_files
from orchestration.warehouse import WarehouseOpenError


def _sends(*ids: str) -> str:
    return "\n".join([SENDS_HEADER, *(send_line(i, "2026-03-01 10:00") for i in ids)]) + "\n"


def test_rerun_loads_nothing(landing: Path, warehouse: Path) -> None:
    write(landing, "sends/a.csv", _sends("s1"))
    assert len(ingest_kind(landing, warehouse, "sends", TZ)) == 1

    assert ingest_kind(landing, warehouse, "sends", TZ) == []
    assert query(warehouse, "select count(*) from raw.sends") == [(1,)]


def test_changed_file_under_same_name_is_a_new_later_load(landing: Path, warehouse: Path) -> None:
    write(landing, "sends/a.csv", _sends("s1"))
    [first] = ingest_kind(landing, warehouse, "sends", TZ)
    write(landing, "sends/a.csv", _sends("s1", "s2"))

    [second] = ingest_kind(landing, warehouse, "sends", TZ)

    assert second.load_id > first.load_id
    assert second.content_sha256 != first.content_sha256
    # every loaded row is kept, duplicates too: dbt picks the latest by _load_id
    got = query(warehouse, "select send_id, _load_id from raw.sends order by _load_id, send_id")
    assert got == [("s1", first.load_id), ("s1", second.load_id), ("s2", second.load_id)]


def test_same_bytes_under_another_name_are_skipped(landing: Path, warehouse: Path) -> None:
    write(landing, "sends/a.csv", _sends("s1"))
    write(landing, "sends/copy_of_a.csv", _sends("s1"))

    loads = ingest_kind(landing, warehouse, "sends", TZ)

    assert [load.file_name for load in loads] == ["sends/a.csv"]
    assert query(warehouse, "select count(*) from raw.sends") == [(1,)]


def test_files_load_in_sorted_relative_path_order_with_increasing_ids(landing: Path, warehouse: Path) -> None:
    write(landing, "sends/b.csv", _sends("b"))
    write(landing, "sends/2026/03/a.csv", _sends("nested"))
    write(landing, "sends/a.csv", _sends("a"))

    loads = ingest_kind(landing, warehouse, "sends", TZ)

    assert [(x.file_name, x.load_id) for x in loads] == [
        ("sends/2026/03/a.csv", 1),
        ("sends/a.csv", 2),
        ("sends/b.csv", 3),
    ]
    ledger = query(
        warehouse, "select load_id, file_name, kind, format, status from raw.load_ledger order by 1"
    )
    assert ledger == [
        (1, "sends/2026/03/a.csv", "sends", "canonical", "loaded"),
        (2, "sends/a.csv", "sends", "canonical", "loaded"),
        (3, "sends/b.csv", "sends", "canonical", "loaded"),
    ]


def test_pending_files_without_a_warehouse_lists_everything(landing: Path, warehouse: Path) -> None:
    write(landing, "sends/a.csv", _sends("s1"))
    write(landing, "reference/product_catalog.csv", "sku,product_category\nX,audio\n")
    write(landing, "_expected/truth.csv", "anything\n")

    pending = pending_files(landing, warehouse)

    assert [(p.file_name, p.kind) for p in pending] == [
        ("sends/a.csv", "sends"),
        ("reference/product_catalog.csv", "reference"),
    ]
    assert not warehouse.exists()


def test_pending_files_after_a_load_lists_only_new_content(landing: Path, warehouse: Path) -> None:
    write(landing, "sends/a.csv", _sends("s1"))
    ingest_kind(landing, warehouse, "sends", TZ)
    write(landing, "sends/b.csv", _sends("s2"))
    write(landing, "sends/a_again.csv", _sends("s1"))

    assert [p.file_name for p in pending_files(landing, warehouse)] == ["sends/b.csv"]


def test_pending_files_works_on_a_warehouse_without_raw_schema(landing: Path, warehouse: Path) -> None:
    import duckdb

    warehouse.parent.mkdir(parents=True)
    duckdb.connect(str(warehouse)).close()
    write(landing, "sends/a.csv", _sends("s1"))

    assert [p.file_name for p in pending_files(landing, warehouse)] == ["sends/a.csv"]


def test_locked_warehouse_is_a_clear_error(landing: Path, warehouse: Path) -> None:
    ensure_raw_schema(warehouse)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
            "print('ready', flush=True); time.sleep(30)",
            str(warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        write(landing, "sends/a.csv", _sends("s1"))
        with pytest.raises(WarehouseOpenError) as raised:
            ingest_kind(landing, warehouse, "sends", TZ)
        assert str(raised.value) == f"warehouse {warehouse} is in use by another process (pid {holder.pid})"
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.1)
    assert len(ingest_kind(landing, warehouse, "sends", TZ)) == 1
