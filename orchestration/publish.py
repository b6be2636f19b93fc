"""What readers open: a read-only copy of the warehouse that every run publishes beside it.

DuckDB lets one process write a file and refuses it while any other process holds the file open,
even read-only. So readers (analysts, `check-audience`, `trail`, a service) never open the
warehouse a run writes: they open the latest published copy, and a run never touches a copy it
has published, so no reader can stop it.

Layout, beside ``<warehouse>`` (e.g. ``warehouse/softspam.duckdb``)::

    softspam.published/
      latest.json                      the newest build's manifest, replaced atomically
      softspam.duckdb                  symbolic link to the newest build's file (for analysts)
      <build_id>/softspam.duckdb       one copy per build, read-only (mode 0444), never rewritten
      <build_id>/manifest.json         that build's manifest

A copy keeps the warehouse's file name, so its catalog has the warehouse's name and SQL compiled
by dbt against the warehouse (check-audience's eligibility query) runs on it unchanged. Each
build has its own path: a reader holding an old build keeps reading it (a replaced link, or a
deleted file, stays readable on Linux to whoever holds it open), and opening a new build is
opening a new file, never a stale handle of the same name. The last ``KEEP_BUILDS`` are kept.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from orchestration.errors import SoftspamError
from orchestration.run_lock import warehouse_lock
from orchestration.warehouse import connect, quote_identifier

MANIFEST_VERSION = 1
MANIFEST_NAME = "latest.json"
BUILD_MANIFEST_NAME = "manifest.json"
KEEP_BUILDS = 2
# The relations of these schemas are counted in the manifest (the copy holds every schema).
PUBLISHED_SCHEMAS = ("marts",)
# What check-audience and the service read besides the marts: its category and channel checks,
# and the relations the dbt macro audience_eligibility_query refs (a test keeps this list
# complete). Tables in the copy, and counted in the manifest.
READER_RELATIONS = (
    "staging.stg_reference__product_categories",
    "staging.stg_reference__applications",
    "intermediate.int_consent_states_collapsed",
    "intermediate.int_oppositions_unioned",
    "intermediate.int_order_lines_informed",
    "intermediate.int_authorizations_expanded",
)
_BUILD_ID = re.compile(r"^\d{8}T\d{6}\.\d{6}Z$")
_PARTIAL_PREFIX = ".partial-"


class PublishError(SoftspamError):
    """The warehouse cannot be copied whole as it stands."""


class NotPublishedError(SoftspamError):
    """No run has published a copy of this warehouse yet (or its files were removed)."""


def published_dir(warehouse: Path) -> Path:
    """``warehouse/softspam.duckdb`` -> ``warehouse/softspam.published``."""
    warehouse = Path(warehouse)
    return warehouse.with_name(f"{warehouse.stem}.published")


def analyst_path(warehouse: Path) -> Path:
    """The fixed path analysts open: a link to the newest build's file."""
    return published_dir(warehouse) / Path(warehouse).name


def _iso(instant: datetime | None) -> str | None:
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z") if instant else None


def _scalar(connection: duckdb.DuckDBPyConnection, sql: str) -> Any:
    try:
        row = connection.execute(sql).fetchone()
    except duckdb.CatalogException:  # a first run that built nothing of it
        return None
    return row[0] if row else None


def _copy(warehouse: Path, target: Path) -> dict[str, Any]:
    """The whole warehouse file, byte for byte, as the new file ``target``.

    A byte copy costs what the disk writes (seconds at ten million sends); re-creating the marts
    through DuckDB cost ten times that, most of it computing the mart views again. The warehouse
    is checkpointed first (its write-ahead log folded in), under the run lock that keeps every
    other writer away, so the file alone is the whole database. The views among the reader
    relations become tables of the copy: the service attaches the copy under another name, where
    a view's catalog-qualified SQL would not resolve.

    Returns the manifest's facts about the copy: row counts, evaluation instant, last load.
    """
    with connect(warehouse) as connection:
        connection.execute("checkpoint")
    if warehouse.with_name(warehouse.name + ".wal").exists():
        raise PublishError(f"warehouse {warehouse} has a write-ahead log after a checkpoint: not copied")
    shutil.copyfile(warehouse, target)
    with connect(target) as connection:
        views = {
            (schema, name)
            for schema, name in connection.execute(
                "select schema_name, view_name from duckdb_views() where not internal"
            ).fetchall()
        }
        for relation in READER_RELATIONS:
            schema, name = relation.split(".", 1)
            if (schema, name) in views:
                qualified = f"{quote_identifier(schema)}.{quote_identifier(name)}"
                staged = f"{quote_identifier(schema)}.{quote_identifier(name + '__published')}"
                connection.execute(f"create table {staged} as select * from {qualified}")  # noqa: S608
                connection.execute(f"drop view {qualified}")
                connection.execute(f"alter table {staged} rename to {quote_identifier(name)}")
        found = connection.execute(
            "select schema_name, table_name from duckdb_tables() where not internal "
            "union all select schema_name, view_name from duckdb_views() where not internal"
        ).fetchall()
        wanted = {tuple(name.split(".", 1)) for name in READER_RELATIONS}
        relations = sorted(
            (schema, name)
            for schema, name in found
            if schema in PUBLISHED_SCHEMAS or (schema, name) in wanted
        )
        tables = {
            f"{schema}.{name}": _scalar(
                connection,
                f"select count(*) from {quote_identifier(schema)}.{quote_identifier(name)}",  # noqa: S608
            )
            for schema, name in relations
        }
        facts = {
            "evaluated_at": _scalar(connection, "select max(evaluated_at) from marts.audience_eligibility"),
            "through_load_id": _scalar(connection, "select max(load_id) from raw.load_ledger"),
            "tables": tables,
        }
        connection.execute("checkpoint")
    with target.open("rb+") as handle:
        os.fsync(handle.fileno())
    return facts


def _new_build_id(folder: Path) -> str:
    """The UTC time to the microsecond: unique (one publisher at a time) and sorted by age."""
    build_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    while (folder / build_id).exists():
        build_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    return build_id


def _replace(path: Path, write: Any) -> None:
    """Create ``path`` anew under a temporary name with ``write(temporary)``, then rename it over."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    write(temporary)
    os.replace(temporary, path)


def _write_synced(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def publish(
    warehouse: Path, as_of: str | None = None, keep: int = KEEP_BUILDS
) -> tuple[Path, dict[str, Any]]:
    """Copy the marts (and what check-audience reads) to a new build; point readers at it.

    ``as_of``: the run's evaluation time when it was given; else the manifest records the
    instant the copy's eligibility was evaluated. Returns the new copy's path and its manifest.
    """
    warehouse = Path(warehouse).resolve()
    folder = published_dir(warehouse)
    started = time.monotonic()
    # Re-entrant: inside a run this is the run's own lock; outside one it keeps runs away.
    with warehouse_lock(warehouse):
        folder.mkdir(parents=True, exist_ok=True)
        # the lock makes this the only publisher: a partial build is an interrupted one's
        for leftover in folder.glob(f"{_PARTIAL_PREFIX}*"):
            shutil.rmtree(leftover, ignore_errors=True)
        build_id = _new_build_id(folder)
        partial = folder / f"{_PARTIAL_PREFIX}{build_id}"
        partial.mkdir()
        facts = _copy(warehouse, partial / warehouse.name)
        # read-only for everyone: no reader can take DuckDB's write lock on it, nor change it
        (partial / warehouse.name).chmod(0o444)
        manifest = {
            "manifest_version": MANIFEST_VERSION,
            "build_id": build_id,
            "built_at": _iso(datetime.now(UTC)),
            "as_of": _iso(datetime.fromisoformat(as_of) if as_of else facts["evaluated_at"]),
            "source_warehouse": str(warehouse),
            "through_load_id": facts["through_load_id"],
            "database": f"{build_id}/{warehouse.name}",
            "tables": facts["tables"],
            "publish_seconds": round(time.monotonic() - started, 3),
        }
        text = json.dumps(manifest, indent=2) + "\n"
        _write_synced(partial / BUILD_MANIFEST_NAME, text)
        os.replace(partial, folder / build_id)
        _replace(folder / warehouse.name, lambda temporary: os.symlink(manifest["database"], temporary))
        _replace(folder / MANIFEST_NAME, lambda temporary: _write_synced(temporary, text))
        builds = sorted(path for path in folder.iterdir() if path.is_dir() and _BUILD_ID.match(path.name))
        for old in builds[:-keep]:
            # deleting a file a reader holds open is safe on Linux: it keeps reading it
            shutil.rmtree(old, ignore_errors=True)
    return folder / manifest["database"], manifest


def latest_published(warehouse: Path) -> tuple[Path, dict[str, Any]]:
    """The newest published copy of ``warehouse`` and its manifest; NotPublishedError if none."""
    folder = published_dir(warehouse)
    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotPublishedError(
            f"no published copy of the warehouse {warehouse} yet (in {folder}): run `softspam run` first"
        ) from None
    except (OSError, ValueError) as exc:
        raise NotPublishedError(
            f"the published manifest {folder / MANIFEST_NAME} cannot be read: {exc}"
        ) from exc
    database = folder / manifest["database"]
    if not database.is_file():
        raise NotPublishedError(f"the published copy {database} is missing: run `softspam run` again")
    return database, manifest


def connect_latest(warehouse: Path) -> tuple[duckdb.DuckDBPyConnection, dict[str, Any]]:
    """A read-only connection to the newest published copy, and its manifest.

    The connection keeps reading its build whatever runs publish meanwhile; connect again for a
    newer one.
    """
    database, manifest = latest_published(warehouse)
    try:
        return connect(database, read_only=True), manifest
    except SoftspamError:
        if database.is_file():
            raise
    # pruned between reading the manifest and opening it: two publishes in that instant
    database, manifest = latest_published(warehouse)
    return connect(database, read_only=True), manifest
