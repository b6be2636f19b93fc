"""Reading a time text as a UTC instant, in Python, by the rule every reader follows.

A time without an offset is local time of the policy zone (docs/rules.md section 4): one that a
clock change repeats is its first occurrence, one it skips takes the offset in force before the
change. That is zoneinfo with fold=0; ingestion's SQL (orchestration/ingestion/timestamps.py)
and the dbt macros (macros/time.sql) read the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def local_to_utc(local: datetime, timezone: str) -> datetime:
    """A naive wall-clock time of ``timezone`` as a UTC instant (fold=0: the rule)."""
    return local.replace(tzinfo=ZoneInfo(timezone), fold=0).astimezone(UTC)


def read_instant(text: str, timezone: str) -> datetime:
    """An ISO 8601 time (offset optional, a date alone is midnight) as a UTC instant.

    Raises ValueError for a text that is not ISO 8601 and ZoneInfoNotFoundError (a KeyError)
    for an unknown zone, which is only looked up when the text has no offset.
    """
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        return local_to_utc(value, timezone)
    return value.astimezone(UTC)


def utc_iso(instant: datetime) -> str:
    """An instant as ISO 8601 UTC text with an explicit ``+00:00`` offset."""
    return instant.astimezone(UTC).isoformat()
