"""Reference overrides: landing/reference/<seed>.csv replaces the shipped seed of that name.

raw.reference_<seed> is rewritten on every run with what the run sees: the file's rows when
present, nothing when absent (an override removed from the folder stops applying). A new
content also gets a ledger row (kind 'reference'), so that it is audited and not pending.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb

from orchestration.warehouse import connect

from .content import inspect, transcode_to_utf8
from .discovery import REFERENCE, landing_place, reference_files
from .errors import IngestionError
from .formats import header_positions, normalise_header
from .ledger import loaded_content, next_load_id, record_load
from .raw_schema import REFERENCE_OVERRIDES, create_schema
from .reader import drop, read_header, record_counts, stage
from .results import FileLoad
from .sql import sql_identifier


def load_reference_overrides(landing: Path, warehouse: Path) -> list[str]:
    """Replace every raw.reference_<seed> with its override (or empty it); return the seeds overridden."""
    landing = Path(landing)
    overrides = reference_files(landing)
    con = connect(Path(warehouse))
    try:
        create_schema(con)
        seen = loaded_content(con)
        with tempfile.TemporaryDirectory(prefix="softspam-reference-") as scratch:
            con.execute("begin transaction")
            try:
                for seed in REFERENCE_OVERRIDES:
                    con.execute(f"delete from raw.reference_{seed}")  # noqa: S608
                    if seed in overrides:
                        _load_seed(con, landing, seed, overrides[seed], Path(scratch), seen)
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise
        return sorted(overrides)
    finally:
        con.close()


def _load_seed(
    con: duckdb.DuckDBPyConnection,
    landing: Path,
    seed: str,
    path: Path,
    scratch: Path,
    seen: set[tuple[str, str]],
) -> None:
    file_name = path.relative_to(landing).as_posix()
    expected = REFERENCE_OVERRIDES[seed]
    content = inspect(path)
    if content.is_blank:
        raise IngestionError(f"{file_name}: empty file; expected columns {', '.join(expected)}")
    read_path, message = path, None
    if not content.is_utf8:
        read_path = scratch / f"{seed}.csv"
        message = f"not valid UTF-8: decoded as {transcode_to_utf8(path, read_path)}"
    header = read_header(read_path)
    positions = header_positions(header.names)
    missing = [column for column in expected if normalise_header(column) not in positions]
    if missing:
        raise IngestionError(
            f"{file_name}: line 1: header {', '.join(n.strip() for n in header.names)} does not match; "
            f"expected columns {', '.join(expected)} (missing: {', '.join(missing)})"
        )
    staged = stage(con, read_path, header, prefix=f"softspam_reference_{seed}")
    try:
        bad = con.execute(
            f"select source_line, error_message from {staged.rejects} order by 1 limit 1"  # noqa: S608
        ).fetchone()
        if bad:
            raise IngestionError(f"{file_name}: line {bad[0]}: malformed CSV record: {bad[1]}")
        targets = ", ".join(sql_identifier(column) for column in expected)
        sources = ", ".join(f"c{positions[normalise_header(column)]}" for column in expected)
        con.execute(f"insert into raw.reference_{seed} ({targets}) select {sources} from {staged.rows}")  # noqa: S608
        rows, _ = record_counts(con, staged)
    finally:
        drop(con, staged)
    sha = content.sha256
    if (landing_place(REFERENCE, file_name), sha) not in seen:
        load_id = next_load_id(con)
        record_load(
            con,
            FileLoad(load_id, file_name, REFERENCE, "canonical", sha, rows, rows, 0, "loaded", message),
        )
        seen.add((landing_place(REFERENCE, file_name), sha))
