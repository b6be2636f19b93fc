"""Ingesting the new files of one landing kind: each file in one DuckDB transaction.

A file's ledger row, landed rows and quarantine rows commit together or not at all, and the
count of records read must equal loaded plus quarantined before the commit.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.warehouse import connect

from . import hooks
from .content import inspect, transcode_to_utf8
from .discovery import KINDS, LandingFile, kind_files
from .errors import IngestionError
from .formats import ambiguous_columns, recognise, repeated_columns, unrecognised_message
from .ledger import content_id, loaded_content, next_load_id, quarantine_whole_file, record_load
from .mapping import FormatMapping
from .raw_schema import LANDED_TABLES, LINEAGE_COLUMNS, create_schema
from .reader import StagedFile, drop, read_header, record_counts, stage
from .readings import record_clock_changes, reread_if_zone_changed
from .results import FileLoad
from .timestamps import check_timezone, install_timestamp_macros

_FILE_NAME_DATE = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")


@dataclass
class _Outcome:
    """What loading a file produced, before it becomes a ledger row."""

    format: str | None
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    whole_file_reason: str | None = None
    notes: tuple[str, ...] = ()
    repeated_columns: str | None = None

    @property
    def status(self) -> str:
        if self.whole_file_reason is not None:
            return "quarantined"
        return "loaded_with_quarantine" if self.rows_quarantined else "loaded"

    @property
    def message(self) -> str | None:
        parts = [self.whole_file_reason, *self.notes] if self.whole_file_reason else list(self.notes)
        return "; ".join(parts) if parts else None


def ingest_kind(landing: Path, warehouse: Path, kind: str, timezone: str) -> list[FileLoad]:
    """Ingest every new file of ``kind``, in sorted relative-path order; return what was loaded."""
    if kind not in KINDS:
        raise IngestionError(f"unknown landing kind {kind!r}; expected one of {', '.join(KINDS)}")
    landing = Path(landing)
    con = connect(Path(warehouse))
    try:
        create_schema(con)
        check_timezone(con, timezone)
        install_timestamp_macros(con)
        reread_if_zone_changed(con, timezone)
        seen = loaded_content(con)
        loads: list[FileLoad] = []
        for file in kind_files(landing, kind):
            sha = content_id(file)
            if (file.place, sha) in seen:
                continue
            loads.append(_load_file(con, file, sha, timezone))
            seen.add((file.place, sha))
        return loads
    finally:
        con.close()


def _load_file(con: duckdb.DuckDBPyConnection, file: LandingFile, sha: str, timezone: str) -> FileLoad:
    with tempfile.TemporaryDirectory(prefix="softspam-ingest-") as scratch:
        con.execute("begin transaction")
        try:
            load_id = next_load_id(con)
            outcome = _load_rows(con, file, sha, load_id, timezone, Path(scratch))
            if outcome.rows_read != outcome.rows_loaded + outcome.rows_quarantined:
                raise IngestionError(
                    f"{file.file_name}: {outcome.rows_read} records read but {outcome.rows_loaded} loaded "
                    f"+ {outcome.rows_quarantined} quarantined; nothing was loaded"
                )
            if outcome.whole_file_reason is not None:
                quarantine_whole_file(con, load_id, file, outcome.whole_file_reason)
            load = FileLoad(
                load_id=load_id,
                file_name=file.file_name,
                kind=file.kind,
                format=outcome.format,
                content_sha256=sha,
                rows_read=outcome.rows_read,
                rows_loaded=outcome.rows_loaded,
                rows_quarantined=outcome.rows_quarantined,
                status=outcome.status,
                message=outcome.message,
                repeated_columns=outcome.repeated_columns,
            )
            record_load(con, load)
            hooks.checkpoint(f"ingest:{file.kind}")
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    return load


def _load_rows(
    con: duckdb.DuckDBPyConnection, file: LandingFile, sha: str, load_id: int, timezone: str, scratch: Path
) -> _Outcome:
    if file.refusal is not None:
        return _Outcome(None, 0, 0, 0, whole_file_reason=file.refusal)
    content = inspect(file.path, sha256=sha)
    if content.is_blank:
        return _Outcome(None, 0, 0, 0, whole_file_reason="empty file")
    # DuckDB's reader expands * ? [ in a path as a pattern: read through a plain-named link
    path, notes = scratch / "source.csv", ()
    path.symlink_to(file.path.resolve())
    if not content.is_utf8:
        path = scratch / "utf8.csv"
        codec = transcode_to_utf8(file.path, path)
        notes = (f"not valid UTF-8: decoded as {codec}",)
    header = read_header(path)
    fmt = recognise(file.kind, header.names)
    # temporary tables are created inside the file's transaction: a rollback removes them too
    staged = stage(con, path, header, prefix=f"softspam_load_{load_id}")
    good, bad = record_counts(con, staged)
    if fmt is None:
        reason = unrecognised_message(file.kind, file.file_name, header.names)
        drop(con, staged)
        return _Outcome(None, good + bad, 0, good + bad, whole_file_reason=reason, notes=notes)
    duplicated = ambiguous_columns(fmt, header.names)
    if duplicated:
        reason = (
            f"{file.kind} file {file.file_name}: duplicate columns {', '.join(duplicated)}: "
            "cannot tell which one to read"
        )
        drop(con, staged)
        return _Outcome(None, good + bad, 0, good + bad, whole_file_reason=reason, notes=notes)
    mapping = FormatMapping(fmt, header, staged, timezone)
    judged = mapping.judged_sql(_constants(file, fmt.table))
    # one pass loads the good rows; only a file with unreadable rows is judged a second time
    loaded = _insert_landed(con, fmt.table, judged, load_id, file)
    quarantined = _insert_quarantine(con, judged if loaded < good else None, staged, load_id, file)
    if file.kind == "suppressions":
        _insert_snapshot(con, mapping, load_id, file, timezone)
        record_clock_changes(con, "suppression_snapshots", timezone, load_id)
    record_clock_changes(con, fmt.table, mapping.timezone, load_id)
    drop(con, staged)
    repeated = repeated_columns(fmt, header.names)
    if repeated:
        notes += (f"repeated columns {', '.join(repeated)}: the first of each is read",)
    return _Outcome(
        fmt.name, good + bad, loaded, quarantined, notes=notes, repeated_columns=", ".join(repeated) or None
    )


def _constants(file: LandingFile, table: str) -> dict[str, str | None]:
    """Columns filled from where the file lies rather than from its content."""
    if table == "mailchimp_unsubscribes":
        return {"landing_kind": file.kind, "application": file.application}
    if table == "suppressions" and file.application:
        return {"application": file.application}
    return {}


def _insert_landed(
    con: duckdb.DuckDBPyConnection, table: str, judged: str, load_id: int, file: LandingFile
) -> int:
    business = [name for name, _ in LANDED_TABLES[table]]
    lineage = [name for name, _ in LINEAGE_COLUMNS]
    select = [f'"{name}"' for name in business] + ["?", "?", "_source_line", "_extra_columns"]
    # every row carries its own _source_line: the order rows are stored in does not matter here
    # (it does when staging, where row ids number the records)
    con.execute("set preserve_insertion_order = false")
    try:
        row = _insert_good_rows(con, table, business + lineage, select, judged, load_id, file)
    finally:
        con.execute("set preserve_insertion_order = true")
    return int(row[0]) if row else 0


def _insert_good_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: list[str],
    select: list[str],
    judged: str,
    load_id: int,
    file: LandingFile,
) -> tuple | None:
    return con.execute(
        f"""insert into raw.{table} ({", ".join(f'"{n}"' for n in columns)})
            select {", ".join(select)} from ({judged}) as judged where _reason is null""",  # noqa: S608
        [load_id, file.file_name],
    ).fetchone()


def _insert_quarantine(
    con: duckdb.DuckDBPyConnection,
    judged: str | None,
    staged: StagedFile,
    load_id: int,
    file: LandingFile,
) -> int:
    """Quarantine the unreadable rows (``judged`` is None when there are none) and the malformed ones."""
    params = [load_id, file.file_name, file.kind]
    unreadable = None
    if judged is not None:
        unreadable = con.execute(
            f"""insert into raw.quarantine
                    (load_id, file_name, kind, line_number, reason, raw_record, quarantined_at)
                select ?, ?, ?, _source_line, _reason, _raw_record, current_timestamp
                from ({judged}) as judged where _reason is not null""",  # noqa: S608
            params,
        ).fetchone()
    malformed = con.execute(
        f"""insert into raw.quarantine
                (load_id, file_name, kind, line_number, reason, raw_record, quarantined_at)
            select ?, ?, ?, source_line, 'malformed CSV record: ' || error_message, raw_record,
                   current_timestamp
            from {staged.rejects}""",  # noqa: S608
        params,
    ).fetchone()
    return int(unreadable[0] if unreadable else 0) + int(malformed[0] if malformed else 0)


def _insert_snapshot(
    con: duckdb.DuckDBPyConnection,
    mapping: FormatMapping,
    load_id: int,
    file: LandingFile,
    timezone: str,
) -> None:
    """One raw.suppression_snapshots row per snapshot file, even a header-only one."""
    row = con.execute(mapping.snapshot_taken_at_sql()).fetchone()
    taken_at, text = (row[0], row[1]) if row else (None, None)
    if taken_at is not None and mapping.timezone == "UTC":
        text = taken_at.isoformat()  # read as UTC (Mailchimp): the same instant in any zone
    if taken_at is None:
        taken_at, text = _file_name_midnight(con, file.path.name, timezone)
    if taken_at is None:
        taken_at = datetime.fromtimestamp(file.path.stat().st_mtime, tz=UTC)
    con.execute(
        """insert into raw.suppression_snapshots
               (_load_id, _source_file, application, format, snapshot_taken_at, snapshot_taken_at_text)
           values (?, ?, ?, ?, ?, ?)""",
        [load_id, file.file_name, file.application, mapping.fmt.name, taken_at, text],
    )


def _file_name_midnight(
    con: duckdb.DuckDBPyConnection, name: str, timezone: str
) -> tuple[datetime | None, str | None]:
    """Midnight, in the configured zone, of a date such as 2026-03-01 or 20260301 in the name,
    and that date as ISO text (what a change of zone reads again)."""
    for match in _FILE_NAME_DATE.finditer(name):
        row = con.execute(
            "select strftime(d, '%Y-%m-%d'), softspam_ts(strftime(d, '%Y-%m-%d'), ?)"
            " from (select try_strptime(?, '%Y%m%d') as d)",
            [timezone, "".join(match.groups())],
        ).fetchone()
        if row and row[1] is not None:
            return row[1], row[0]
    return None, None
