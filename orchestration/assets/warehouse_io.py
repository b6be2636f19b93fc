"""Short read-only looks into the warehouse for metadata and checks.

Connections are opened and closed per query: dbt runs in a subprocess and DuckDB lets only one
process hold the file open for writing, so this process must never keep it open.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from orchestration.quality.masking import mask_email

EMAIL_COLUMNS = ("email", "email_address")


def query(warehouse: Path, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql, list(params or [])).df()


def table_exists(warehouse: Path, schema: str, table: str) -> bool:
    if not Path(warehouse).exists():
        return False
    found = query(
        warehouse,
        "select count(*) as n from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    )
    return int(found["n"].iloc[0]) > 0


def masked(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every address column masked, for metadata and logs."""
    frame = frame.copy()
    for column in frame.columns:
        if column in EMAIL_COLUMNS:
            frame[column] = frame[column].map(lambda v: mask_email(v) if isinstance(v, str) else v)
    return frame


def markdown_table(frame: pd.DataFrame, max_cell: int = 60) -> str:
    """A small markdown table (Dagster renders it); no dependency on `tabulate`."""
    if frame.empty:
        return "_no rows_"

    def cell(value: Any) -> str:
        text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
        text = text.replace("|", "\\|").replace("\n", " ")
        return text if len(text) <= max_cell else text[: max_cell - 1] + "…"

    header = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    rows = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *rows])
