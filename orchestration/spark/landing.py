"""Publish the landed tables (schema raw of the DuckDB warehouse) as Parquet for Spark.

Each table is written to ``<spark dir>/raw/<table>/`` in full, then swapped in by renames, so a
killed run leaves the previous files or the new ones, never a mix. dbt's on-run-start
(macros/landing_tables.sql) declares them as the external tables of Spark's database raw.
Instants stay instants: DuckDB writes TIMESTAMPTZ as UTC-adjusted Parquet timestamps, which
Spark reads as TIMESTAMP.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from orchestration.ingestion.sql import sql_identifier, sql_literal

RAW_SCHEMA = "raw"


def raw_tables(connection: duckdb.DuckDBPyConnection) -> list[str]:
    rows = connection.execute(
        "select table_name from information_schema.tables where table_schema = ? order by 1", [RAW_SCHEMA]
    ).fetchall()
    return [name for (name,) in rows]


def publish_landing(warehouse: Path, spark_dir: Path) -> dict[str, int]:
    """Write every raw table as Parquet; returns rows written per table."""
    root = Path(spark_dir) / RAW_SCHEMA
    root.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for table in raw_tables(connection):
            target = root / table
            staging = root / f".{table}.new"
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir()
            relation = f"{RAW_SCHEMA}.{sql_identifier(table)}"
            parquet_file = sql_literal(str(staging / "part-0.parquet"))
            connection.execute(f"copy (select * from {relation}) to {parquet_file} (format parquet)")  # noqa: S608
            written[table] = connection.execute(f"select count(*) from {relation}").fetchall()[0][0]  # noqa: S608
            retired = root / f".{table}.old"
            shutil.rmtree(retired, ignore_errors=True)
            if target.exists():
                target.rename(retired)
            staging.rename(target)
            shutil.rmtree(retired, ignore_errors=True)
    return written
