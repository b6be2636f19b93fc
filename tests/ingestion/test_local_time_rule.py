"""One reading of local times around clock changes, for every reader.

The rule (docs/rules.md section 4) is zoneinfo with fold=0: a repeated local time is its first
occurrence, a skipped one takes the offset in force before the change. Ingestion's SQL, the dbt
macro of macros/time.sql and orchestration.timezones are each compared with it, minute by minute
around transitions of three zones, one of them with a 30-minute shift.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import jinja2
import pytest

from orchestration.ingestion.timestamps import install_timestamp_macros
from orchestration.timezones import read_instant

# (zone, local wall-clock time of a transition)
TRANSITIONS = [
    ("Europe/Rome", datetime(2025, 3, 30, 2, 0)),
    ("Europe/Rome", datetime(2025, 10, 26, 3, 0)),
    ("Europe/Rome", datetime(2026, 3, 29, 2, 0)),
    ("Europe/Rome", datetime(2026, 10, 25, 3, 0)),
    ("America/New_York", datetime(2026, 3, 8, 2, 0)),
    ("America/New_York", datetime(2026, 11, 1, 2, 0)),
    ("Australia/Lord_Howe", datetime(2026, 4, 5, 2, 0)),  # back 30 minutes
    ("Australia/Lord_Howe", datetime(2026, 10, 4, 2, 0)),  # forward 30 minutes
]
PROJECT = Path(__file__).resolve().parents[2]


def _local_times() -> list[tuple[str, datetime]]:
    """Every minute from two hours before to two hours after each transition."""
    return [(zone, at + timedelta(minutes=m)) for zone, at in TRANSITIONS for m in range(-120, 121)]


def expected(zone: str, local: datetime) -> datetime:
    return local.replace(tzinfo=ZoneInfo(zone), fold=0).astimezone(UTC)


def clock_change(zone: str, local: datetime) -> str | None:
    tz = ZoneInfo(zone)
    first, second = local.replace(tzinfo=tz, fold=0), local.replace(tzinfo=tz, fold=1)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != local:
        return "nonexistent"
    return "ambiguous" if first.utcoffset() != second.utcoffset() else None


FORMS = {
    "iso_t": "%Y-%m-%dT%H:%M:%S",
    "iso_space": "%Y-%m-%d %H:%M:%S",
    "iso_minutes": "%Y-%m-%d %H:%M",
    "italian": "%d/%m/%Y %H:%M",
    "italian_seconds": "%d/%m/%Y %H:%M:%S",
    "iso_fraction": "%Y-%m-%d %H:%M:%S.000",
}


def _connection() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    install_timestamp_macros(con)
    return con


def _mismatches(got: list[tuple], cases: list[tuple[str, datetime]], want) -> list[tuple]:
    return [
        (zone, local, value, want(zone, local))
        for (zone, local), (value,) in zip(cases, got, strict=True)
        if value != want(zone, local)
    ]


@pytest.mark.parametrize("form", FORMS)
def test_ingestion_reads_local_times_as_zoneinfo_fold_0(form: str) -> None:
    cases = _local_times()
    texts = [local.strftime(FORMS[form]) for _, local in cases]
    zones = [zone for zone, _ in cases]

    got = (
        _connection()
        .execute(
            "select softspam_ts(v, tz) from (select unnest(?::varchar[]) as v, unnest(?::varchar[]) as tz, "
            "generate_subscripts(?::varchar[], 1) as i) order by i",
            [texts, zones, texts],
        )
        .fetchall()
    )

    assert _mismatches(got, cases, expected) == []


def test_ingestion_flags_repeated_and_skipped_local_times() -> None:
    cases = _local_times()
    texts = [local.strftime(FORMS["iso_space"]) for _, local in cases]
    zones = [zone for zone, _ in cases]

    got = (
        _connection()
        .execute(
            "select softspam_ts_clock_change(v, tz) from (select unnest(?::varchar[]) as v, "
            "unnest(?::varchar[]) as tz, generate_subscripts(?::varchar[], 1) as i) order by i",
            [texts, zones, texts],
        )
        .fetchall()
    )

    assert _mismatches(got, cases, clock_change) == []
    flags = {row[0] for row in got}
    assert flags == {None, "ambiguous", "nonexistent"}


def test_a_time_with_an_offset_is_never_a_clock_change() -> None:
    [(flag, instant)] = (
        _connection()
        .execute(
            "select softspam_ts_clock_change(v, 'Europe/Rome'), softspam_ts(v, 'Europe/Rome') "
            "from (select '2026-10-25T02:30:00+01:00' as v)"
        )
        .fetchall()
    )
    assert (flag, instant) == (None, datetime(2026, 10, 25, 1, 30, tzinfo=UTC))


def test_the_documented_examples() -> None:
    con = _connection()
    for text, want in [
        ("2026-03-29 02:30", datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
        ("2026-10-25 02:30", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
    ]:
        assert con.execute("select softspam_ts(?, 'Europe/Rome')", [text]).fetchone() == (want,)
        assert read_instant(text, "Europe/Rome") == want


@pytest.mark.parametrize("form", ["iso_t", "iso_space", "iso_minutes", "iso_fraction"])
def test_python_reading_is_the_rule(form: str) -> None:
    cases = _local_times()
    got = [(read_instant(local.strftime(FORMS[form]), zone),) for zone, local in cases]

    assert _mismatches(got, cases, expected) == []


def test_python_reading_keeps_an_explicit_offset() -> None:
    half_past_one = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert read_instant("2026-10-25T02:30:00+01:00", "Europe/Rome") == half_past_one
    assert read_instant("2026-10-25T01:30:00Z", "America/New_York") == half_past_one
    assert read_instant("2026-03-29", "Europe/Rome") == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)


def _dbt_macro_sql(local_sql: str, zone: str) -> str:
    """macros/time.sql's duckdb_local_to_utc rendered with plain Jinja (it needs no dbt context)."""
    source = (PROJECT / "macros" / "time.sql").read_text(encoding="utf-8")
    template = jinja2.Environment(autoescape=False).from_string(  # noqa: S701 (SQL, not HTML)
        source + "{{ duckdb_local_to_utc(local_sql, zone) }}"
    )
    return template.render(local_sql=local_sql, zone=zone).strip()


@pytest.mark.parametrize("zone", sorted({zone for zone, _ in TRANSITIONS} | {"America/Havana"}))
def test_dbt_macro_reads_local_times_as_zoneinfo_fold_0(zone: str) -> None:
    # America/Havana turns its clock back from 01:00 to midnight: local midnight repeats
    extra = [("America/Havana", datetime(2026, 11, 1, 0, 0)), ("America/Havana", datetime(2026, 3, 8, 0, 30))]
    cases = [case for case in _local_times() + extra if case[0] == zone]
    texts = [local.isoformat(sep=" ") for _, local in cases]
    sql = _dbt_macro_sql("cast(v as timestamp)", zone)

    got = (
        _connection()
        .execute(
            f"select {sql} from (select unnest(?::varchar[]) as v, "  # noqa: S608
            "generate_subscripts(?::varchar[], 1) as i) order by i",
            [texts, texts],
        )
        .fetchall()
    )

    assert _mismatches(got, cases, expected) == []
