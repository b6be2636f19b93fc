"""The copy readers open (orchestration/publish.py): what it holds, how it is swapped and pruned."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import duckdb
import pytest

from orchestration.config import PROJECT_DIR
from orchestration.publish import (
    KEEP_BUILDS,
    READER_RELATIONS,
    NotPublishedError,
    analyst_path,
    connect_latest,
    latest_published,
    publish,
    published_dir,
)


def _warehouse(tmp_path: Path, sends: int = 2) -> Path:
    """Marts (a table and a view over a model), a reader relation (a view of a seed) and the ledger."""
    warehouse = tmp_path / "warehouse" / "softspam.duckdb"
    warehouse.parent.mkdir(exist_ok=True)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            f"""
            create schema if not exists raw; create schema if not exists intermediate;
            create schema if not exists marts; create schema if not exists staging;
            create schema if not exists reference;
            create or replace table raw.load_ledger as select * from range(1, 4) as t(load_id);
            create or replace table intermediate.int_sends_evaluated as
                select 'S' || i as send_id from range({sends}) as t(i);
            create or replace view marts.sends_checked as select * from intermediate.int_sends_evaluated;
            create or replace table marts.audience_eligibility as
                select timestamptz '2026-03-01 00:00:00+00' as evaluated_at;
            create or replace table reference.product_categories as select 'audio' as category;
            create or replace view staging.stg_reference__product_categories as
                select * from reference.product_categories;
            """  # noqa: S608 (a number)
        )
    return warehouse


def test_the_copy_holds_the_whole_warehouse_and_the_reader_relations_as_tables(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path)

    database, manifest = publish(warehouse)

    assert database == published_dir(warehouse) / manifest["build_id"] / "softspam.duckdb"
    assert not database.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = connection.execute(
            "select schema_name || '.' || table_name, current_database() from duckdb_tables() order by 1"
        ).fetchall()
        views = connection.execute("select view_name from duckdb_views() where not internal").fetchall()
        # a mart view stays a view, reading the copy's own models
        assert connection.execute("select count(*) from marts.sends_checked").fetchone() == (2,)
    # the warehouse's catalog name, so SQL compiled against the warehouse runs on the copy
    assert tables == [
        ("intermediate.int_sends_evaluated", "softspam"),
        ("marts.audience_eligibility", "softspam"),
        ("raw.load_ledger", "softspam"),
        ("reference.product_categories", "softspam"),
        ("staging.stg_reference__product_categories", "softspam"),  # was a view: the service's
    ]
    assert views == [("sends_checked",)]
    assert manifest["tables"] == {
        "marts.audience_eligibility": 1,
        "marts.sends_checked": 2,
        "staging.stg_reference__product_categories": 1,
    }
    assert manifest["as_of"] == "2026-03-01T00:00:00Z"  # the copy's evaluation instant
    assert manifest["through_load_id"] == 3
    assert manifest["source_warehouse"] == str(warehouse.resolve())
    assert re.fullmatch(r"\d{8}T\d{6}\.\d{6}Z", manifest["build_id"])
    assert manifest["built_at"].endswith("Z")
    assert publish(warehouse, as_of="2026-04-01T02:00:00+02:00")[1]["as_of"] == "2026-04-01T00:00:00Z"


def test_readers_find_the_newest_build_and_keep_the_one_they_hold(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path, sends=1)
    first, _ = publish(warehouse)
    held = duckdb.connect(str(analyst_path(warehouse)), read_only=True)
    try:
        for sends in range(2, 2 + KEEP_BUILDS + 1):
            _warehouse(tmp_path, sends=sends)
            newest, manifest = publish(warehouse)
        # the held build is gone from the folder (pruned) and still answers its reader
        assert not first.exists()
        assert held.execute("select count(*) from marts.sends_checked").fetchone() == (1,)
    finally:
        held.close()
    folder = published_dir(warehouse)
    assert json.loads((folder / "latest.json").read_text()) == manifest
    assert json.loads((newest.parent / "manifest.json").read_text()) == manifest
    assert latest_published(warehouse) == (newest, manifest)
    assert analyst_path(warehouse).resolve() == newest.resolve()
    assert sorted(path.name for path in folder.iterdir() if path.is_dir())[-1] == manifest["build_id"]
    assert len([path for path in folder.iterdir() if path.is_dir()]) == KEEP_BUILDS
    connection, connected = connect_latest(warehouse)
    with connection:
        assert connected == manifest
        assert connection.execute("select count(*) from marts.sends_checked").fetchone() == (KEEP_BUILDS + 2,)


def test_an_interrupted_publish_leaves_nothing_readers_see(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path)
    database, manifest = publish(warehouse)
    leftover = published_dir(warehouse) / ".partial-20260301T000000.000000Z"
    leftover.mkdir()
    (leftover / "softspam.duckdb").write_bytes(b"half a database")
    assert latest_published(warehouse) == (database, manifest)

    publish(warehouse)

    assert not leftover.exists()


def test_no_copy_yet_is_one_line_naming_the_fix(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path)
    with pytest.raises(NotPublishedError) as raised:
        latest_published(warehouse)
    assert str(raised.value) == (
        f"no published copy of the warehouse {warehouse} yet (in {published_dir(warehouse)}): "
        "run `softspam run` first"
    )


def test_reader_relations_cover_what_the_eligibility_macro_reads() -> None:
    macro = (PROJECT_DIR / "macros" / "audience_eligibility_query.sql").read_text(encoding="utf-8")
    refs = set(re.findall(r"ref\(\s*'(\w+)'\s*\)", macro))
    assert refs and refs <= {relation.split(".", 1)[1] for relation in READER_RELATIONS}
