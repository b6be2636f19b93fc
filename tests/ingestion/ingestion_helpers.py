"""Helpers shared by the ingestion tests: writing landing files and reading the warehouse."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

SENDS_HEADER = (
    "send_id,campaign_id,channel,email,promoted_category,legal_basis,sent_at,has_opt_out_link,source_system"
)
TZ = "Europe/Rome"


def write(landing: Path, relative: str, content: str | bytes) -> Path:
    """Write a landing file (text is written as UTF-8 exactly as given, no newline translation)."""
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def query(warehouse: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute("set TimeZone = 'UTC'")
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def send_line(send_id: str, sent_at: str, email: str = "a@example.it") -> str:
    return f"{send_id},c1,email,{email},audio,soft_spam,{sent_at},true,esp"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)
