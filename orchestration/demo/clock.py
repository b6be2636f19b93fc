"""Fast timestamp text for millions of rows: every instant is (day index, UTC second of day).

Background events happen between 06:00 and 20:00 UTC, i.e. 07:00-22:00 in Rome, so the local
date equals the UTC date and no local time falls in a DST gap or overlap. That lets each form be
a table lookup instead of a datetime conversion per row.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")
FIRST_DAY = date(2024, 1, 1)  # day index 0: start of the demo period
LAST_DAY = date(2026, 10, 31)
PERIOD_DAYS = (LAST_DAY - FIRST_DAY).days + 1
DAY_START_SECOND = 6 * 3600  # earliest background event, UTC
DAY_END_SECOND = 20 * 3600  # latest background event (exclusive), UTC

_DAYS = [FIRST_DAY + timedelta(days=d) for d in range(PERIOD_DAYS)]
UTC_DATE = [d.isoformat() for d in _DAYS]
ITALIAN_DATE = [d.strftime("%d/%m/%Y") for d in _DAYS]
MONTH = [d.strftime("%Y-%m") for d in _DAYS]
YEAR = [str(d.year) for d in _DAYS]
# Rome's offset at noon; valid for the whole 06:00-20:00 UTC band (DST switches at 01:00 UTC).
OFFSET_SECONDS = [
    int(datetime(d.year, d.month, d.day, 12, tzinfo=UTC).astimezone(ROME).utcoffset().total_seconds())
    for d in _DAYS
]
# Seconds of a day up to 24 h + 2 h, so that second + offset never needs a modulo.
HMS = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(26 * 3600)]
HM = [text[:5] for text in HMS]
_EPOCH_OF_DAY0 = int(datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, tzinfo=UTC).timestamp())


def epoch(day: int, second: int) -> int:
    """Unix seconds of a background instant."""
    return _EPOCH_OF_DAY0 + day * 86400 + second


def iso_z(day: int, second: int) -> str:
    return f"{UTC_DATE[day]}T{HMS[second]}Z"


def iso_offset(day: int, second: int) -> str:
    offset = OFFSET_SECONDS[day]
    return f"{UTC_DATE[day]}T{HMS[second + offset]}+0{offset // 3600}:00"


def naive_local(day: int, second: int) -> str:
    return f"{UTC_DATE[day]} {HMS[second + OFFSET_SECONDS[day]]}"


def italian_local(day: int, second: int) -> str:
    """dd/mm/yyyy HH:MM; callers use whole minutes so nothing is lost."""
    return f"{ITALIAN_DATE[day]} {HM[second + OFFSET_SECONDS[day]]}"


def shopify_local(day: int, second: int) -> str:
    offset = OFFSET_SECONDS[day]
    return f"{UTC_DATE[day]} {HMS[second + offset]} +0{offset // 3600}00"


def mailchimp_utc(day: int, second: int) -> str:
    return f"{UTC_DATE[day]} {HMS[second]}"


def day_of(text: str) -> int:
    """Day index of an ISO date, for scenario definitions."""
    return (date.fromisoformat(text) - FIRST_DAY).days
