"""The Spark engine's plumbing without a JVM: the engine setting, publishing the landed tables
as Parquet, and serving Spark's Parquet tables as DuckDB views."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.config import ConfigError, Settings, resolve_engine
from orchestration.spark import spark_dir_for
from orchestration.spark.landing import publish_landing
from orchestration.spark.serving import serve_spark_tables

SOFTSPAM = str(Path(sys.executable).with_name("softspam"))


def test_engine_defaults_to_duckdb_and_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOFTSPAM_ENGINE", raising=False)
    assert resolve_engine(None) == "duckdb"
    monkeypatch.setenv("SOFTSPAM_ENGINE", "Spark")
    assert resolve_engine(None) == "spark"
    assert resolve_engine("duckdb") == "duckdb"  # the argument wins


def test_unknown_engine_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOFTSPAM_ENGINE", "oracle")
    with pytest.raises(ConfigError, match="engine 'oracle' is not one of duckdb, spark"):
        Settings.resolve()


def test_cli_refuses_an_unknown_engine(tmp_path: Path) -> None:
    completed = subprocess.run(
        [SOFTSPAM, "run", "--engine", "oracle", "--landing", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode == 2
    assert "invalid choice: 'oracle'" in completed.stderr


def test_spark_folder_always_sits_beside_the_duckdb_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOFTSPAM_SPARK_DIR", raising=False)
    assert spark_dir_for(tmp_path / "wh" / "softspam.duckdb") == tmp_path / "wh" / "softspam.spark"
    settings = Settings.resolve(warehouse=tmp_path / "x.duckdb", engine="spark")
    assert settings.spark_dir == tmp_path / "x.spark" and settings.dbt_target == "spark"
    monkeypatch.setenv("SOFTSPAM_SPARK_DIR", str(tmp_path / "exported by an earlier run"))
    assert settings.spark_dir == tmp_path / "x.spark"


def _warehouse_with_raw(path: Path, rows: int) -> None:
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema raw")
        connection.execute(
            "create table raw.sends as select 'S' || i as send_id, "
            "timestamptz '2026-03-29 01:30:00+00' + to_hours(i) as sent_at from range(?) t(i)",
            [rows],
        )
        connection.execute("create table raw.quarantine (file_name varchar, line_number bigint)")


def test_publish_landing_writes_every_raw_table_and_replaces_it_whole(tmp_path: Path) -> None:
    warehouse, spark_dir = tmp_path / "w.duckdb", tmp_path / "w.spark"
    _warehouse_with_raw(warehouse, 3)
    assert publish_landing(warehouse, spark_dir) == {"quarantine": 0, "sends": 3}
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("insert into raw.sends values ('S9', timestamptz '2026-10-25 01:00:00+00')")
    assert publish_landing(warehouse, spark_dir)["sends"] == 4
    assert sorted(p.name for p in (spark_dir / "raw").iterdir()) == ["quarantine", "sends"]  # no leftovers
    with duckdb.connect() as connection:
        published = connection.execute(
            "select send_id, sent_at from read_parquet(?) order by 1", [f"{spark_dir}/raw/sends/*.parquet"]
        ).fetchall()
        expected = (
            duckdb.connect(str(warehouse), read_only=True)
            .execute("select send_id, sent_at from raw.sends order by 1")
            .fetchall()
        )
    assert published == expected  # instants stay instants


def test_serving_replaces_duckdb_tables_with_views_over_spark_files(tmp_path: Path) -> None:
    warehouse, spark_dir = tmp_path / "w.duckdb", tmp_path / "w.spark"
    violations = spark_dir / "tables" / "marts.db" / "violations"
    violations.mkdir(parents=True)
    (spark_dir / "tables" / "staging.db" / "stg_x").mkdir(parents=True)  # a Spark view: no files
    (spark_dir / "tables" / "marts.db" / "empty_folder").mkdir()
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            f"copy (select 'S1' as send_id, 'NO_OPT_OUT_LINK' as rule_code) to '{violations}/p.parquet'"
        )
        connection.execute("create schema marts")
        connection.execute(
            "create table marts.violations as select 'stale' as send_id"
        )  # an earlier DuckDB build
    assert serve_spark_tables(warehouse, spark_dir) == ["marts.violations"]
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        kind = connection.execute(
            "select table_type from information_schema.tables where table_name = 'violations'"
        ).fetchall()
        rows = connection.execute("select * from marts.violations").fetchall()
    assert kind == [("VIEW",)] and rows == [("S1", "NO_OPT_OUT_LINK")]


def _run_spark(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    from orchestration.cli import main

    code = main(
        ["run", "--engine", "spark", "--landing", str(tmp_path), "--warehouse", str(tmp_path / "w.duckdb")]
    )
    return code, capsys.readouterr().err.splitlines()


def test_spark_without_its_extra_names_the_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "pyspark" else real_find_spec(name, *args),
    )
    assert _run_spark(tmp_path, capsys) == (
        2,
        [
            "softspam run: could not run: --engine spark needs pyspark, not installed: "
            "pip install -e '.[spark]' (or make install)"
        ],
    )
    assert not (tmp_path / "w.duckdb").exists()


def test_spark_without_java_names_make_java(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(shutil, "which", lambda name, *args, **kwargs: None)
    assert _run_spark(tmp_path, capsys) == (
        2,
        ["softspam run: could not run: --engine spark needs a Java 17+ runtime, none on PATH: make java"],
    )
