"""Opening the DuckDB warehouse for ingestion, and making the raw schema exist."""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

from .errors import IngestionError
from .raw_schema import create_raw_schema_sql
from .sql import sql_literal

# Ingestion streams CSV into tables and needs little; it runs in the orchestrator's process, beside
# the dbt process later, and the two together stay under the 4 GB budget of a small server.
MEMORY_LIMIT_ENV = "SOFTSPAM_INGEST_MEMORY_LIMIT"

_LOCK_PID = re.compile(r"PID (\d+)")


def connect(warehouse: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection in UTC; a warehouse locked by another process is a clear IngestionError."""
    if not read_only:
        warehouse.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(warehouse), read_only=read_only)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" not in text.lower():
            raise IngestionError(f"warehouse {warehouse} cannot be opened: {text.splitlines()[0]}") from exc
        pid = _LOCK_PID.search(text)
        holder = f"pid {pid.group(1)}" if pid else "pid unknown"
        raise IngestionError(f"warehouse {warehouse} is in use by another process ({holder})") from exc
    con.execute("set TimeZone = 'UTC'")
    con.execute("set enable_progress_bar = false")
    if not read_only:
        # bounded memory on a small shared server: loading streams one file at a time (a monthly
        # export of sends is ~100 MB staged); DuckDB spills to disk beyond it
        con.execute(f"set memory_limit = {sql_literal(os.environ.get(MEMORY_LIMIT_ENV, '512MB'))}")
    return con


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    for statement in create_raw_schema_sql():
        con.execute(statement)


def ensure_raw_schema(warehouse: Path) -> None:
    """Create every raw table (idempotent) so that dbt sources resolve even before any load."""
    con = connect(warehouse)
    try:
        create_schema(con)
    finally:
        con.close()
