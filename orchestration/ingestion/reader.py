"""Reading a landed CSV into temporary DuckDB tables, every field as text, with line numbers.

DuckDB's parallel CSV reader does the work; Python only reads the header line. Records DuckDB
rejects (wrong number of fields, unterminated quote) land in a rejects table so that they are
counted and quarantined, not lost. ``_source_line`` is the physical line where a record starts
(header = line 1): DuckDB numbers records by line but does not count newlines inside quoted
fields, so those of earlier records are added with a window sum.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from .sql import sql_literal

_HEADER_BYTES = 1 << 20
_DELIMITERS = (",", ";")


@dataclass(frozen=True)
class Header:
    names: list[str]  # as written, untrimmed
    delimiter: str
    embedded_newlines: int  # newlines inside quoted header names


@dataclass(frozen=True)
class StagedFile:
    """Temporary tables holding one file's records.

    ``rows``: columns c0..c<n-1> (header order); ``lines``: rowid of ``rows`` -> _source_line;
    ``rejects``: source_line, raw_record, error_message of the records DuckDB could not split.
    """

    rows: str
    lines: str
    rejects: str
    column_count: int
    # when every record is one line (the common case): _source_line = rowid + line_offset, and
    # ``lines`` is left empty (no table to build, no join)
    line_offset: int | None = None


def _count_outside_quotes(line: str, char: str) -> int:
    count, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == char and not quoted:
            count += 1
    return count


def read_header(path: Path) -> Header:
    """The header record of a UTF-8 file (BOM allowed); ';' when it has more ';' than ','."""
    with path.open("rb") as handle:
        head = handle.read(_HEADER_BYTES).decode("utf-8-sig", errors="replace")
    first_line = head.split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=lambda d: (_count_outside_quotes(first_line, d), d == ","))
    record = next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter, quotechar='"'), [])
    embedded = sum(name.count("\n") for name in record)
    return Header(names=record, delimiter=delimiter, embedded_newlines=embedded)


def stage(con: duckdb.DuckDBPyConnection, path: Path, header: Header, prefix: str) -> StagedFile:
    """Read ``path`` into temporary tables named after ``prefix`` (an identifier we generate)."""
    staged = StagedFile(f"{prefix}_rows", f"{prefix}_lines", f"{prefix}_rejects", len(header.names))
    errors, scans = f"{prefix}_reject_errors", f"{prefix}_reject_scans"
    names = [f"c{i}" for i in range(staged.column_count)]
    columns = "{" + ", ".join(f"'{name}': 'VARCHAR'" for name in names) + "}"
    all_text = "concat(" + ", ".join(names) + ")"
    drop(con, staged, extra=(errors, scans))
    con.execute(
        f"""create temp table {staged.rows} as
        select *, strlen({all_text}) - strlen(replace({all_text}, chr(10), '')) as _newlines
        from read_csv({sql_literal(str(path))},
            header = true, auto_detect = false, all_varchar = true,
            delim = {sql_literal(header.delimiter)}, quote = '"', escape = '"',
            columns = {columns},
            store_rejects = true, rejects_table = '{errors}', rejects_scan = '{scans}')"""  # noqa: S608
    )
    # one row per rejected record; good_before = good records (and blank lines) before it
    con.execute(
        f"""create temp table {staged.rejects}_numbered as
        with records as (
            select line, min(error_message) as error_message,
                   trim(min(csv_line), chr(13) || chr(10)) as raw_record
            from {errors} group by line
        )
        select line, error_message, raw_record,
               line - 1 - row_number() over (order by line) as good_before,
               strlen(raw_record) - strlen(replace(raw_record, chr(10), '')) as newlines
        from records"""  # noqa: S608
    )
    line_offset = _number_lines(con, staged, header)
    con.execute(
        f"""create temp table {staged.rejects} as
        select l.source_line, r.raw_record, r.error_message
        from {staged.rejects}_numbered r join {staged.lines} l on l.reject_line = r.line"""  # noqa: S608
    )
    for table in (errors, scans, f"{staged.rejects}_numbered"):
        con.execute(f"drop table if exists {table}")
    return replace(staged, line_offset=line_offset)


def _number_lines(con: duckdb.DuckDBPyConnection, staged: StagedFile, header: Header) -> int | None:
    """Fill ``lines``: the physical line where each record (kept or rejected) starts.

    In the common case (no rejected record, no newline inside a field, contiguous row ids) the
    line is rowid + offset: ``lines`` stays empty and the offset is returned (else None).
    """
    first_line = 2 + int(header.embedded_newlines)
    rows, newlines, rejected, first_id, last_id = con.execute(
        f"""select count(*), coalesce(sum(_newlines), 0),
                   (select count(*) from {staged.rejects}_numbered), min(rowid), max(rowid)
            from {staged.rows}"""  # noqa: S608
    ).fetchone() or (0, 0, 0, None, None)
    if rejected == 0 and newlines == 0 and (rows == 0 or last_id - first_id + 1 == rows):
        # the common case: one record per line and contiguous row ids, so no sort is needed
        con.execute(
            f"create temp table {staged.lines} (row_id bigint, reject_line bigint, source_line bigint)"
        )
        return first_line - int(first_id or 0)
    con.execute(
        f"""create temp table {staged.lines} as
        with merged as (
            select row_number() over (order by rowid) - 1 as position, 1 as tiebreak, rowid as row_id,
                   null::bigint as reject_line,
                   _newlines as newlines
            from {staged.rows}
            union all
            select good_before, 0, null, line, newlines from {staged.rejects}_numbered
        ),
        sequenced as (
            select row_id, reject_line,
                   row_number() over w as record_number,
                   coalesce(sum(newlines) over (w rows between unbounded preceding and 1 preceding), 0)
                       as newlines_before
            from merged
            window w as (order by position, tiebreak, reject_line)
        )
        select row_id, reject_line,
               coalesce(reject_line, 1 + record_number) - 2 + {first_line} + newlines_before
                   as source_line
        from sequenced"""  # noqa: S608
    )


def drop(con: duckdb.DuckDBPyConnection, staged: StagedFile, extra: tuple[str, ...] = ()) -> None:
    """Remove the temporary tables of a staged file."""
    tables = (staged.rows, staged.lines, staged.rejects, f"{staged.rejects}_numbered", *extra)
    for table in tables:
        con.execute(f"drop table if exists {table}")


def record_counts(con: duckdb.DuckDBPyConnection, staged: StagedFile) -> tuple[int, int]:
    """(records DuckDB split into fields, records it rejected)."""
    good = con.execute(f"select count(*) from {staged.rows}").fetchone()  # noqa: S608
    bad = con.execute(f"select count(*) from {staged.rejects}").fetchone()  # noqa: S608
    return (good[0] if good else 0, bad[0] if bad else 0)
