"""The one way into the DuckDB warehouse: connections, short read-only looks, catalog questions.

Every connection is in UTC (every timestamp softspam shows is UTC) and without a progress bar.
``query`` and ``table_exists`` on a path open and close a read-only connection per call: dbt runs
in a subprocess and DuckDB lets only one process hold the file open for writing, so this process
must never keep it open between steps.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from orchestration.errors import SoftspamError

# Writes in this process (ingestion) stream CSV into tables and need little; they run beside the
# dbt process later, and the two together stay under the 4 GB budget of a small server.
MEMORY_LIMIT_ENV = "SOFTSPAM_INGEST_MEMORY_LIMIT"

_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")
_PID = re.compile(r"PID (\d+)")


class WarehouseOpenError(SoftspamError):
    """The DuckDB file cannot be opened: another process holds it, or it is not a database."""


def lock_holder(error: duckdb.Error) -> tuple[str, str] | None:
    """(program, pid) of the process whose DuckDB file lock refused ``error``'s connection."""
    found = _HOLDER.search(str(error))
    return (found["program"], found["pid"]) if found else None


def connect(warehouse: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection in UTC; a file held by another process is a one-line WarehouseOpenError."""
    warehouse = Path(warehouse)
    if not read_only:
        warehouse.parent.mkdir(parents=True, exist_ok=True)
    try:
        connection = duckdb.connect(str(warehouse), read_only=read_only)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" not in text.lower():
            first = text.splitlines()[0]
            raise WarehouseOpenError(f"warehouse {warehouse} cannot be opened: {first}") from exc
        pid = _PID.search(text)
        holder = f"pid {pid.group(1)}" if pid else "pid unknown"
        raise WarehouseOpenError(f"warehouse {warehouse} is in use by another process ({holder})") from exc
    connection.execute("set TimeZone = 'UTC'")
    connection.execute("set enable_progress_bar = false")
    if not read_only:
        # bounded memory on a small shared server: loading streams one file at a time (a monthly
        # export of sends is ~100 MB staged); DuckDB spills to disk beyond it
        connection.execute("set memory_limit = ?", [os.environ.get(MEMORY_LIMIT_ENV, "512MB")])
    return connection


def query(warehouse: Path, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
    with connect(warehouse, read_only=True) as connection:
        return connection.execute(sql, list(params or [])).df()


def table_exists(warehouse: Path | duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    """On an open connection, or on a file (False when the file does not exist yet)."""
    sql = "select count(*) from information_schema.tables where table_schema = ? and table_name = ?"
    if isinstance(warehouse, duckdb.DuckDBPyConnection):
        row = warehouse.execute(sql, [schema, table]).fetchone()
        return bool(row and row[0])
    if not Path(warehouse).exists():
        return False
    with connect(warehouse, read_only=True) as connection:
        return table_exists(connection, schema, table)


def column_types(connection: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple[str, str]]:
    """(column name, DuckDB type) in table order."""
    return connection.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
