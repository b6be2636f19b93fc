"""Spark's tables as views of the DuckDB warehouse, so every reader has one place to look.

After a Spark build, each table Spark wrote under ``<spark dir>/tables/<schema>.db/<table>/``
(seeds, intermediate models, marts) becomes ``<schema>.<table>`` in the DuckDB file: a view
over its Parquet files, read when queried, so it always shows Spark's latest build. Staging
models are views on Spark (no files); the dbt asset builds them on DuckDB over raw.* instead
(check-audience's eligibility macro reads two of them).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.ingestion.sql import sql_identifier, sql_literal

SERVED_SCHEMAS = ("reference", "intermediate", "marts")


def spark_tables(spark_dir: Path) -> dict[tuple[str, str], Path]:
    """(schema, table) -> folder of Parquet files, for the served schemas."""
    found: dict[tuple[str, str], Path] = {}
    for schema in SERVED_SCHEMAS:
        root = Path(spark_dir) / "tables" / f"{schema}.db"
        if not root.is_dir():
            continue
        for folder in sorted(root.iterdir()):
            if folder.is_dir() and any(folder.glob("*.parquet")):
                found[(schema, folder.name)] = folder
    return found


def _kind(connection: duckdb.DuckDBPyConnection, schema: str, table: str) -> str | None:
    rows = connection.execute(
        "select table_type from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()
    return rows[0][0] if rows else None


def serve_spark_tables(warehouse: Path, spark_dir: Path) -> list[str]:
    """(Re)create one view per Spark table; returns the views' names."""
    served = []
    with duckdb.connect(str(warehouse)) as connection:
        for (schema, table), folder in spark_tables(spark_dir).items():
            name = f"{sql_identifier(schema)}.{sql_identifier(table)}"
            connection.execute(f"create schema if not exists {sql_identifier(schema)}")
            if _kind(connection, schema, table) == "BASE TABLE":
                # left by a DuckDB build of the same warehouse: the Spark build replaces it
                connection.execute(f"drop table {name}")
            files = sql_literal(str(folder / "*.parquet"))
            connection.execute(f"create or replace view {name} as select * from read_parquet({files})")  # noqa: S608
            served.append(f"{schema}.{table}")
    return served
