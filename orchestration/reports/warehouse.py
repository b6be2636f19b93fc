"""Reports' terms for the warehouse: read-only, and a missing file or table is a ReportError."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration import warehouse as access
from orchestration.errors import SoftspamError


class ReportError(SoftspamError, RuntimeError):
    """A deliverable cannot be produced; the message says why in one line."""


def connect_read_only(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """Read-only, so that reports never change what they report on."""
    warehouse = Path(warehouse)
    if not warehouse.is_file():
        raise ReportError(f"warehouse {warehouse} does not exist: run `softspam run` first")
    return access.connect(warehouse, read_only=True)


def require_tables(connection: duckdb.DuckDBPyConnection, *qualified_names: str) -> None:
    missing = [name for name in qualified_names if not access.table_exists(connection, *name.split(".", 1))]
    if missing:
        raise ReportError(
            f"the warehouse lacks {', '.join(missing)}: build the models (`softspam run`) before the reports"
        )
