"""SQL that turns landed timestamp text into UTC instants (TIMESTAMPTZ), inside DuckDB.

Accepted forms: ISO 8601 with 'T' or space, optional seconds and fraction, optional offset
('Z', '+01:00', '+0100', '+01', also after a space as Shopify writes it), an ISO date alone,
and the Italian 'dd/mm/yyyy[ HH:MM[:SS]]'. Without an offset the text is local time of the
zone given, read by the rule of docs/rules.md section 4 (``softspam_local_utc``): a local time that
a clock change repeats is its first occurrence, one it skips takes the offset in force before
the change (Python's zoneinfo with fold=0). Anything else, including impossible dates such as
31/02, parses to NULL.
"""

from __future__ import annotations

import duckdb

from .errors import IngestionError
from .sql import sql_literal

_ISO_PATTERN = (
    r"^(\d{4}-\d{1,2}-\d{1,2})"
    r"(?:[T ](\d{1,2}:\d{2}(?::\d{2})?)(?:[.,](\d{1,9}))?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$"
)
_ITALIAN_PATTERN = r"^(\d{1,2}/\d{1,2}/\d{4})(?:\s+(\d{1,2}:\d{2}(?::\d{2})?))?$"

# Temporary macros, created once per connection by install_timestamp_macros().
_MACROS = [
    # UTC offset (an interval) of zone tz at instant x
    """create or replace temp macro softspam_utc_offset(x, tz) as
        timezone(tz, x) - timezone('UTC', x)""",
    # l (a local TIMESTAMP) read with the offset zone tz has at instant x
    """create or replace temp macro softspam_local_at_offset_of(l, x, tz) as
        timezone('UTC', l - softspam_utc_offset(x, tz))""",
    # l read with the offset in force a day before it (a) and a day after it (b): one of the
    # two is right, as no zone changes its clock twice within two days
    """create or replace temp macro softspam_local_a(l, tz) as
        softspam_local_at_offset_of(l, timezone('UTC', l) - to_hours(24), tz)""",
    """create or replace temp macro softspam_local_b(l, tz) as
        softspam_local_at_offset_of(l, timezone('UTC', l) + to_hours(24), tz)""",
    # Local time l of zone tz as an instant, by the rule: a repeated time is its first
    # occurrence (a), a skipped time takes the offset in force before the change (a again).
    # Not DuckDB's timezone(tz, l), which reads a repeated time as its second occurrence.
    """create or replace temp macro softspam_local_utc(l, tz) as
        case
            when timezone(tz, softspam_local_a(l, tz)) = l then softspam_local_a(l, tz)
            when timezone(tz, softspam_local_b(l, tz)) = l then softspam_local_b(l, tz)
            else softspam_local_a(l, tz)
        end""",
    # 'ambiguous' when a clock change repeats l, 'nonexistent' when it skips l, else NULL
    """create or replace temp macro softspam_clock_change(l, tz) as
        case
            when softspam_local_a(l, tz) = softspam_local_b(l, tz) then null
            when timezone(tz, softspam_local_a(l, tz)) = l and timezone(tz, softspam_local_b(l, tz)) = l
                then 'ambiguous'
            when timezone(tz, softspam_local_a(l, tz)) <> l and timezone(tz, softspam_local_b(l, tz)) <> l
                then 'nonexistent'
        end""",
    f"""create or replace temp macro softspam_iso_parts(v) as
        regexp_extract(trim(v), {sql_literal(_ISO_PATTERN)}, ['d', 't', 'f', 'o'])""",
    f"""create or replace temp macro softspam_italian_parts(v) as
        regexp_extract(trim(v), {sql_literal(_ITALIAN_PATTERN)}, ['d', 't'])""",
    # local wall-clock time (TIMESTAMP) of either form; the fraction is cut to microseconds
    """create or replace temp macro softspam_iso_local(p) as
        try_strptime(
            p.d || ' ' || coalesce(nullif(p.t, ''), '00:00')
                || case when p.f <> '' then '.' || left(p.f || '000000', 6) else '' end,
            ['%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M'])""",
    """create or replace temp macro softspam_italian_local(p) as
        try_strptime(p.d || ' ' || coalesce(nullif(p.t, ''), '00:00'),
            ['%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M'])""",
    # offset in minutes east of UTC; NULL when the text has none
    """create or replace temp macro softspam_offset_minutes(o) as
        case
            when o = '' then null
            when upper(o) = 'Z' then 0
            else (case when left(o, 1) = '-' then -1 else 1 end)
                * (cast(substr(replace(o, ':', ''), 2, 2) as integer) * 60
                   + coalesce(cast(nullif(substr(replace(o, ':', ''), 4, 2), '') as integer), 0))
        end""",
    # an ISO text with an offset as an instant; NULL without an offset
    """create or replace temp macro softspam_iso_offset_ts(p) as
        case
            when p.d <> '' and p.o <> ''
                then timezone('UTC', softspam_iso_local(p) - to_minutes(softspam_offset_minutes(p.o)))
        end""",
    # The exact shapes nearly every export writes, by position checks and DuckDB's fast cast
    # (no strptime, no regex): 'YYYY-MM-DD[T ]HH:MM:SS' local, with 'Z' or with '+HH:MM'.
    # The cast must not see an hour 24 (it rolls over) nor an offset when reading local time.
    """create or replace temp macro softspam_is_exact(v) as
        substr(v, 5, 1) = '-' and substr(v, 8, 1) = '-' and substr(v, 11, 1) in ('T', ' ')
        and substr(v, 14, 1) = ':' and substr(v, 17, 1) = ':'
        and substr(v, 1, 1) between '0' and '9' and substr(v, 12, 2) < '24'""",
    """create or replace temp macro softspam_local_exact(v) as
        case when length(v) = 19 and softspam_is_exact(v) then try_cast(v as timestamp) end""",
    """create or replace temp macro softspam_offset_exact(v) as
        case
            when not softspam_is_exact(v) then null
            when length(v) = 20 and substr(v, 20, 1) = 'Z' then try_cast(v as timestamptz)
            when length(v) = 25 and substr(v, 20, 1) in ('+', '-') and substr(v, 23, 1) = ':'
                then try_cast(v as timestamptz)
        end""",
    # Italian 'dd/mm/yyyy HH:MM[:SS]' (shop tills), rewritten as ISO for the same fast cast
    """create or replace temp macro softspam_italian_exact(v) as
        case
            when substr(v, 3, 1) <> '/' or substr(v, 6, 1) <> '/' or substr(v, 11, 1) <> ' '
                 or substr(v, 14, 1) <> ':' or substr(v, 1, 1) not between '0' and '9'
                 or substr(v, 12, 2) >= '24' or length(v) not in (16, 19)
                 or (length(v) = 19 and substr(v, 17, 1) <> ':') then null
            else try_cast(
                substr(v, 7, 4) || '-' || substr(v, 4, 2) || '-' || substr(v, 1, 2) || ' '
                    || substr(v, 12) || case when length(v) = 16 then ':00' else '' end
                as timestamp)
        end""",
    # the local wall-clock time of a text without offset; NULL for a text with one
    """create or replace temp macro softspam_local_text(v) as
        coalesce(
            softspam_local_exact(v),
            softspam_italian_exact(v),
            try_strptime(v, '%Y-%m-%d %H:%M:%S'),
            try_strptime(v, '%Y-%m-%dT%H:%M:%S'),
            case when softspam_iso_parts(v).o = '' then softspam_iso_local(softspam_iso_parts(v)) end,
            case when softspam_italian_parts(v).d <> ''
                 then softspam_italian_local(softspam_italian_parts(v)) end)""",
    # the instant of a text with an offset; NULL for a text without one
    """create or replace temp macro softspam_offset_text(v) as
        coalesce(
            softspam_offset_exact(v),
            try_strptime(v, '%Y-%m-%dT%H:%M:%S%z'),
            try_strptime(v, '%Y-%m-%d %H:%M:%S %z'),
            softspam_iso_offset_ts(softspam_iso_parts(v)))""",
    # the exact forms first (fast, no regex); the rest only for rows still NULL
    """create or replace temp macro softspam_ts(v, tz) as
        coalesce(
            softspam_local_utc(coalesce(softspam_local_exact(v), softspam_italian_exact(v)), tz),
            softspam_offset_exact(v),
            softspam_local_utc(softspam_local_text(v), tz),
            softspam_offset_text(v))""",
    # how a clock change affects the reading of a text in zone tz (see softspam_clock_change)
    """create or replace temp macro softspam_ts_clock_change(v, tz) as
        softspam_clock_change(softspam_local_text(v), tz)""",
]


def install_timestamp_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Define softspam_ts(text, tz) -> TIMESTAMPTZ (NULL when unreadable) on this connection."""
    for statement in _MACROS:
        con.execute(statement)


def check_timezone(con: duckdb.DuckDBPyConnection, timezone: str) -> None:
    """Refuse a policy time zone DuckDB does not know, before any file is touched."""
    known = con.execute("select count(*) from pg_timezone_names() where name = ?", [timezone]).fetchone()
    if not known or known[0] == 0:
        raise IngestionError(f"policy timezone {timezone!r} is not a known IANA time zone (e.g. Europe/Rome)")


def timestamp_sql(value_sql: str, timezone: str) -> str:
    """SQL expression parsing the text expression ``value_sql`` with local zone ``timezone``."""
    return f"softspam_ts({value_sql}, {sql_literal(timezone)})"
