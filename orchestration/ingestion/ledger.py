"""raw.load_ledger and raw.quarantine: which content was loaded, and what was set aside."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from orchestration.warehouse import connect

from .content import sha256_of
from .discovery import KINDS, REFERENCE, LandingFile, kind_files, landing_place, reference_files
from .results import FileLoad, PendingFile


def loaded_content(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """(landing place, content_sha256) of everything in the ledger."""
    rows = con.execute("select kind, file_name, content_sha256 from raw.load_ledger").fetchall()
    return {(landing_place(kind, name), sha) for kind, name, sha in rows}


def next_load_id(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("select coalesce(max(load_id), 0) + 1 from raw.load_ledger").fetchone()
    return int(row[0]) if row else 1


def record_load(con: duckdb.DuckDBPyConnection, load: FileLoad) -> None:
    con.execute(
        """insert into raw.load_ledger (load_id, file_name, kind, landing_place, format, content_sha256,
               rows_read, rows_loaded, rows_quarantined, loaded_at, status, message, repeated_columns)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, current_timestamp, ?, ?, ?)""",
        [
            load.load_id,
            load.file_name,
            load.kind,
            landing_place(load.kind, load.file_name),
            load.format,
            load.content_sha256,
            load.rows_read,
            load.rows_loaded,
            load.rows_quarantined,
            load.status,
            load.message,
            load.repeated_columns,
        ],
    )


def quarantine_whole_file(
    con: duckdb.DuckDBPyConnection, load_id: int, file: LandingFile, reason: str
) -> None:
    con.execute(
        """insert into raw.quarantine
               (load_id, file_name, kind, line_number, reason, raw_record, quarantined_at)
           values (?, ?, ?, null, ?, null, current_timestamp)""",
        [load_id, file.file_name, file.kind, reason],
    )


def _ledger_exists(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "select count(*) from information_schema.tables"
        " where table_schema = 'raw' and table_name = 'load_ledger'"
    ).fetchone()
    return bool(row and row[0])


def content_id(file: LandingFile) -> str:
    """SHA-256 of the bytes; for a refused link, of its target (its content is never read)."""
    if file.link_target is not None:
        return hashlib.sha256(f"symlink:{file.link_target}".encode()).hexdigest()
    return sha256_of(file.path)


def pending_files(landing: Path, warehouse: Path) -> list[PendingFile]:
    """Landing files (any kind, and reference overrides) whose content is not in the ledger yet.

    Opens the warehouse read-only, so a sensor can call it while nothing else is writing;
    a warehouse that does not exist yet means every file is pending.
    """
    candidates: list[tuple[str, str, str]] = []  # (file_name, kind, sha)
    for kind in KINDS:
        for file in kind_files(landing, kind):
            candidates.append((file.file_name, kind, content_id(file)))
    for path in reference_files(landing).values():
        candidates.append((path.relative_to(landing).as_posix(), REFERENCE, sha256_of(path)))
    loaded: set[tuple[str, str]] = set()
    if warehouse.exists():
        con = connect(warehouse, read_only=True)
        try:
            if _ledger_exists(con):
                loaded = loaded_content(con)
        finally:
            con.close()
    return [
        PendingFile(file_name=name, kind=kind, content_sha256=sha)
        for name, kind, sha in candidates
        if (landing_place(kind, name), sha) not in loaded
    ]
