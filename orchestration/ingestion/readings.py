"""Landed local times: the zone they were read with, reading them again, and clock changes.

Raw tables keep each time column's text beside its instant (``<column>_text``). The zone the
landed rows were read with is recorded in raw.reading_settings; when the policy's zone differs,
every landed local time is read again from its text in the new zone (one transaction per table),
so the verdicts equal a fresh build under the new policy. Texts with an offset read the same in
any zone, and Mailchimp's times are UTC. Every local time is readable in any zone, so no row
changes between loaded and quarantined.

raw.clock_change_readings lists the landed local times that a clock change of the zone repeats
or skips (data-quality findings), recomputed for a table whenever its times are read again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.warehouse import connect

from .raw_schema import LANDED_TABLES, SUPPRESSION_SNAPSHOTS, TIME_TEXT_SUFFIX, create_schema
from .sql import sql_literal
from .timestamps import check_timezone, install_timestamp_macros


@dataclass(frozen=True)
class LocalTimes:
    """A raw table holding local times: its landing kind and how a finding names its record."""

    kind: str
    source_system: str  # SQL
    record_ref: str  # SQL


# Tables whose times without offset are local (mailchimp_unsubscribes: UTC, never re-read).
LOCAL_TIME_TABLES: dict[str, LocalTimes] = {
    "sales": LocalTimes(
        "sales",
        "lower(trim(source_system))",
        "concat_ws(':', lower(trim(source_system)), trim(order_id), trim(line_id))",
    ),
    "shopify_order_lines": LocalTimes(
        "sales", "'shopify'", "concat_ws(':', 'shopify', trim(order_name), cast(line_number as varchar))"
    ),
    "sends": LocalTimes("sends", "lower(trim(source_system))", "trim(send_id)"),
    "oppositions": LocalTimes("oppositions", "lower(trim(source_system))", "trim(opposition_id)"),
    "consents": LocalTimes("consents", "lower(trim(source_system))", "trim(consent_id)"),
    "suppressions": LocalTimes(
        "suppressions",
        "lower(trim(application))",
        "concat_ws(':', _source_file, cast(_source_line as varchar))",
    ),
    "suppression_snapshots": LocalTimes("suppressions", "lower(trim(application))", "_source_file"),
}


@dataclass(frozen=True)
class Reread:
    """What a change of zone did to the landed local times."""

    previous_timezone: str
    timezone: str
    rows_reread: int  # rows with at least one time text
    rows_without_text: int  # landed before texts were kept: their instants stay as they were

    @property
    def note(self) -> str:
        note = (
            f"policy timezone changed from {self.previous_timezone} to {self.timezone}: "
            f"{self.rows_reread} landed rows read again"
        )
        if self.rows_without_text:
            note += (
                f"; {self.rows_without_text} rows landed before their time texts were kept cannot be "
                f"read again and keep the instants read in {self.previous_timezone}"
            )
        return note


def time_columns(table: str) -> list[str]:
    """The instant columns of a raw table that have a ``<column>_text`` beside them."""
    spec = SUPPRESSION_SNAPSHOTS if table == "suppression_snapshots" else LANDED_TABLES[table]
    names = {name for name, _ in spec}
    return [name for name, _ in spec if name + TIME_TEXT_SUFFIX in names]


def recorded_timezone(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute(
        "select timezone from raw.reading_settings order by recorded_at desc, rowid desc limit 1"
    ).fetchone()
    return row[0] if row else None


def _record(con: duckdb.DuckDBPyConnection, timezone: str, note: str) -> None:
    con.execute(
        "insert into raw.reading_settings (timezone, recorded_at, note) values (?, current_timestamp, ?)",
        [timezone, note],
    )


def record_clock_changes(
    con: duckdb.DuckDBPyConnection, table: str, timezone: str, load_id: int | None = None
) -> None:
    """Add the findings of ``table``'s local times (of one load, or all rows) read in ``timezone``."""
    if table not in LOCAL_TIME_TABLES:
        return
    spec = LOCAL_TIME_TABLES[table]
    tz = sql_literal(timezone)
    rows = "true" if load_id is None else f"_load_id = {int(load_id)}"
    line = "null::bigint" if table == "suppression_snapshots" else "_source_line"
    for column in time_columns(table):
        text = f'"{column}{TIME_TEXT_SUFFIX}"'
        # Only instants on a UTC day near a clock change can have been read at one: the zone's
        # offset is compared once per distinct day (a day before it, two days after), not per
        # row, and only those days' rows, if any, take the exact test.
        day = f'cast(floor(epoch("{column}") / 86400) as bigint)'
        days = con.execute(
            f"""select day_number from (
                    select distinct {day} as day_number from raw.{table}
                    where {rows} and {text} is not null and "{column}" is not null
                ) as days
                where softspam_utc_offset(to_timestamp(day_number * 86400) - to_hours(24), {tz})
                    <> softspam_utc_offset(to_timestamp(day_number * 86400) + to_hours(48), {tz})"""  # noqa: S608
        ).fetchall()
        if not days:
            continue
        near_a_change = ", ".join(str(int(number)) for (number,) in days)
        con.execute(
            f"""insert into raw.clock_change_readings (table_name, column_name, landing_kind, source_system,
                    record_ref, time_text, read_as, reading, timezone, _load_id, _source_file, _source_line)
                select * from (
                    select {sql_literal(table)}, {sql_literal(column)}, {sql_literal(spec.kind)},
                        {spec.source_system}, {spec.record_ref}, {text}, "{column}",
                        softspam_ts_clock_change({text}, {tz}) as reading, {tz},
                        _load_id, _source_file, {line}
                    from (
                        select * from raw.{table}
                        where {rows} and {text} is not null and "{column}" is not null
                            and {day} in ({near_a_change})
                    ) as candidates
                ) where reading is not null"""  # noqa: S608
        )


def _reread_table(con: duckdb.DuckDBPyConnection, table: str, timezone: str) -> tuple[int, int]:
    """Read ``table``'s local times again in ``timezone``; (rows read again, rows without text)."""
    columns = time_columns(table)
    texts = [f'"{c}{TIME_TEXT_SUFFIX}"' for c in columns]
    tz = sql_literal(timezone)
    has_text = " or ".join(f"{t} is not null" for t in texts)
    # a snapshot dated by its file's modification time has no text, and needs none
    lacks_text = (
        "false"
        if table == "suppression_snapshots"
        else " or ".join(f'("{c}" is not null and "{c}{TIME_TEXT_SUFFIX}" is null)' for c in columns)
    )
    # an event time's text is readable in every zone; an unreadable optional one stays NULL
    assignments = ", ".join(
        f'"{c}" = case when {t} is null then "{c}" else coalesce(softspam_ts({t}, {tz}), "{c}") end'
        if table == "suppression_snapshots"
        else f'"{c}" = case when {t} is null then "{c}" else softspam_ts({t}, {tz}) end'
        for c, t in zip(columns, texts, strict=True)
    )
    con.execute("begin transaction")
    try:
        [(without_text,)] = con.execute(f"select count(*) from raw.{table} where {lacks_text}").fetchall()  # noqa: S608
        [(reread,)] = con.execute(f"update raw.{table} set {assignments} where {has_text}").fetchall()  # noqa: S608
        con.execute("delete from raw.clock_change_readings where table_name = ?", [table])
        record_clock_changes(con, table, timezone)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return int(reread), int(without_text)


def reread_if_zone_changed(con: duckdb.DuckDBPyConnection, timezone: str) -> Reread | None:
    """On a connection with the raw schema and the timestamp macros: read every landed local time
    again when ``timezone`` is not the zone they were read with; None when nothing changed.

    The zone is recorded only after every table is read again: a run interrupted half-way reads
    them all again next time, which gives the same instants.
    """
    previous = recorded_timezone(con)
    if previous == timezone:
        return None
    if previous is None:
        _record(con, timezone, "first recorded: landed rows, if any, were read in this zone")
        return None
    reread = without_text = 0
    for table in LOCAL_TIME_TABLES:
        rows, missing = _reread_table(con, table, timezone)
        reread, without_text = reread + rows, without_text + missing
    result = Reread(previous, timezone, reread, without_text)
    _record(con, timezone, result.note)
    return result


def reread_landed_times(warehouse: Path, timezone: str) -> Reread | None:
    """reread_if_zone_changed on its own connection to the warehouse."""
    con = connect(Path(warehouse))
    try:
        create_schema(con)
        check_timezone(con, timezone)
        install_timestamp_macros(con)
        return reread_if_zone_changed(con, timezone)
    finally:
        con.close()
