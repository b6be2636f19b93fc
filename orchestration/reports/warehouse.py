"""Read-only access to the warehouse: reports never change what they report on."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.errors import SoftspamError


class ReportError(SoftspamError, RuntimeError):
    """A deliverable cannot be produced; the message says why in one line."""


def connect_read_only(warehouse: Path) -> duckdb.DuckDBPyConnection:
    warehouse = Path(warehouse)
    if not warehouse.is_file():
        raise ReportError(f"warehouse {warehouse} does not exist: run `softspam run` first")
    connection = duckdb.connect(str(warehouse), read_only=True)
    # Every timestamp the deliverables show is UTC, as the contract promises.
    connection.execute("set TimeZone = 'UTC'")
    return connection


def table_exists(connection: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    row = connection.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(row and row[0])


def column_types(connection: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple[str, str]]:
    """(column name, DuckDB type) in table order."""
    return connection.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()


def require_tables(connection: duckdb.DuckDBPyConnection, *qualified_names: str) -> None:
    missing = [name for name in qualified_names if not table_exists(connection, *name.split(".", 1))]
    if missing:
        raise ReportError(
            f"the warehouse lacks {', '.join(missing)}: build the models (`softspam run`) before the reports"
        )


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
