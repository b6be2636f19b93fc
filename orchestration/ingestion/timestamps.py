"""SQL that turns landed timestamp text into UTC instants (TIMESTAMPTZ), inside DuckDB.

Accepted forms: ISO 8601 with 'T' or space, optional seconds and fraction, optional offset
('Z', '+01:00', '+0100', '+01', also after a space as Shopify writes it), an ISO date alone,
and the Italian 'dd/mm/yyyy[ HH:MM[:SS]]'. Without an offset the text is local time of the
zone given, converted exactly like DuckDB's ``timezone(tz, ts::timestamp)``. Anything else,
including impossible dates such as 31/02, parses to NULL.
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
    """create or replace temp macro softspam_iso_ts(p, tz) as
        case
            when p.d = '' then null
            when p.o = '' then timezone(tz, softspam_iso_local(p))
            else timezone('UTC', softspam_iso_local(p) - to_minutes(softspam_offset_minutes(p.o)))
        end""",
    # The exact shapes nearly every export writes, by position checks and DuckDB's fast cast
    # (no strptime, no regex): 'YYYY-MM-DD[T ]HH:MM:SS' local, with 'Z' or with '+HH:MM'.
    # The cast must not see an hour 24 (it rolls over) nor an offset when reading local time.
    """create or replace temp macro softspam_ts_exact(v, tz) as
        case
            when substr(v, 5, 1) <> '-' or substr(v, 8, 1) <> '-' or substr(v, 11, 1) not in ('T', ' ')
                 or substr(v, 14, 1) <> ':' or substr(v, 17, 1) <> ':'
                 or substr(v, 1, 1) not between '0' and '9' or substr(v, 12, 2) >= '24' then null
            when length(v) = 19 then timezone(tz, try_cast(v as timestamp))
            when length(v) = 20 and substr(v, 20, 1) = 'Z' then try_cast(v as timestamptz)
            when length(v) = 25 and substr(v, 20, 1) in ('+', '-') and substr(v, 23, 1) = ':'
                then try_cast(v as timestamptz)
        end""",
    # Italian 'dd/mm/yyyy HH:MM[:SS]' (shop tills), rewritten as ISO for the same fast cast
    """create or replace temp macro softspam_ts_italian_exact(v, tz) as
        case
            when substr(v, 3, 1) <> '/' or substr(v, 6, 1) <> '/' or substr(v, 11, 1) <> ' '
                 or substr(v, 14, 1) <> ':' or substr(v, 1, 1) not between '0' and '9'
                 or substr(v, 12, 2) >= '24' or length(v) not in (16, 19)
                 or (length(v) = 19 and substr(v, 17, 1) <> ':') then null
            else timezone(tz, try_cast(
                substr(v, 7, 4) || '-' || substr(v, 4, 2) || '-' || substr(v, 1, 2) || ' '
                    || substr(v, 12) || case when length(v) = 16 then ':00' else '' end
                as timestamp))
        end""",
    # the exact forms first (fast, no regex); the rest only for rows still NULL
    """create or replace temp macro softspam_ts(v, tz) as
        coalesce(
            softspam_ts_exact(v, tz),
            softspam_ts_italian_exact(v, tz),
            timezone(tz, coalesce(try_strptime(v, '%Y-%m-%d %H:%M:%S'),
                                  try_strptime(v, '%Y-%m-%dT%H:%M:%S'))),
            try_strptime(v, '%Y-%m-%dT%H:%M:%S%z'),
            try_strptime(v, '%Y-%m-%d %H:%M:%S %z'),
            softspam_iso_ts(softspam_iso_parts(v), tz),
            case when softspam_italian_parts(v).d <> ''
                 then timezone(tz, softspam_italian_local(softspam_italian_parts(v))) end)""",
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
