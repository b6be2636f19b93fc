"""Instants written the ways a company's exporting systems write them.

An instant is whole seconds since 1970 (UTC). Each form is one that docs/formats.md section 1.3
reads: ISO 8601 with ``Z`` or with the zone's offset, ISO local time, and the Italian local
``dd/mm/yyyy HH:MM``. Local forms are wall-clock time of the zone; per-day tables (date texts,
the offset before and after a clock change) keep rendering a lookup for tens of millions of
values.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

_HOUR = 3600
_DAY = 86400


class Clock:
    """Renders instants of the days ``first`` to ``last`` (inclusive) in the zone ``zone``."""

    def __init__(self, first: date, last: date, zone: str = "Europe/Rome") -> None:
        tz = ZoneInfo(zone)
        # one day of margin each side: a UTC instant's local day may be the day before or after
        start = first - timedelta(days=1)
        days = (last - start).days + 2
        self.first_epoch = int(datetime(first.year, first.month, first.day, tzinfo=UTC).timestamp())
        self._base = self.first_epoch - _DAY
        self._iso_date: list[str] = []
        self._italian_date: list[str] = []
        self._before: list[int] = []
        self._after: list[int] = []
        self._change: list[int] = []  # UTC second of the day the offset changes at; a day = none
        for index in range(days):
            day = start + timedelta(days=index)
            self._iso_date.append(day.isoformat())
            self._italian_date.append(day.strftime("%d/%m/%Y"))
            midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
            offsets = [
                int((midnight + timedelta(hours=h)).astimezone(tz).utcoffset().total_seconds())
                for h in range(25)
            ]
            self._before.append(offsets[0])
            self._after.append(offsets[24])
            changed = next((h for h in range(25) if offsets[h] != offsets[0]), None)
            self._change.append(_DAY if changed is None else changed * _HOUR)
        self._hms = [f"{s // _HOUR:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(_DAY)]

    def at(self, day: int, second: int) -> int:
        """The instant ``second`` (UTC) into day ``day`` counted from ``first``."""
        return self.first_epoch + day * _DAY + second

    def day_of(self, instant: int) -> int:
        return (instant - self.first_epoch) // _DAY

    def daytime(self, rng: random.Random, day: int, first_hour: int = 6, last_hour: int = 20) -> int:
        """A UTC instant between ``first_hour`` and ``last_hour`` o'clock UTC: in Rome 07:00 to
        22:59 at most, never in the hour a clock change skips or repeats, never past midnight."""
        return self.at(day, rng.randrange(first_hour * _HOUR, (last_hour + 1) * _HOUR))

    def _local(self, instant: int) -> tuple[int, int, int]:
        """(local day index, local second of day, offset seconds) of an instant."""
        day, second = divmod(instant - self._base, _DAY)
        offset = self._after[day] if second >= self._change[day] else self._before[day]
        local_day, local_second = divmod(day * _DAY + second + offset, _DAY)
        return local_day, local_second, offset

    def iso_z(self, instant: int) -> str:
        day, second = divmod(instant - self._base, _DAY)
        return f"{self._iso_date[day]}T{self._hms[second]}Z"

    def iso_offset(self, instant: int) -> str:
        day, second, offset = self._local(instant)
        sign = "+" if offset >= 0 else "-"
        hours, minutes = divmod(abs(offset) // 60, 60)
        return f"{self._iso_date[day]}T{self._hms[second]}{sign}{hours:02d}:{minutes:02d}"

    def local_iso(self, instant: int) -> str:
        day, second, _ = self._local(instant)
        return f"{self._iso_date[day]} {self._hms[second]}"

    def italian(self, instant: int) -> str:
        """dd/mm/yyyy HH:MM: callers pass whole minutes, as shop tills record them."""
        day, second, _ = self._local(instant)
        return f"{self._italian_date[day]} {self._hms[second][:5]}"

    def local_date(self, instant: int) -> str:
        day, _, _ = self._local(instant)
        return self._iso_date[day]
