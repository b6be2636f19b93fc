"""Timestamp forms, parsed in SQL to UTC instants; without an offset, local time of the policy zone."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from ingestion_helpers import SENDS_HEADER, TZ, query, send_line, utc, write

from orchestration.ingestion import ingest_kind
from orchestration.ingestion.timestamps import install_timestamp_macros, timestamp_sql

CASES = [
    ("2026-03-01T10:00:00+01:00", utc(2026, 3, 1, 9, 0)),
    ("2026-03-01T10:00:00-02:30", utc(2026, 3, 1, 12, 30)),
    ("2026-03-01 10:00:00", utc(2026, 3, 1, 9, 0)),  # naive: Rome, winter (+01)
    ("2026-07-01 10:00:00", utc(2026, 7, 1, 8, 0)),  # naive: Rome, summer (+02)
    ("2026-03-01T09:00:00Z", utc(2026, 3, 1, 9, 0)),
    ("2026-03-01T09:00:00.250Z", datetime(2026, 3, 1, 9, 0, 0, 250000, tzinfo=utc(2026, 1, 1).tzinfo)),
    (
        "2026-03-01T10:00:00.123456789+01:00",
        datetime(2026, 3, 1, 9, 0, 0, 123456, tzinfo=utc(2026, 1, 1).tzinfo),
    ),
    ("2026-03-01 10:00:00 +0100", utc(2026, 3, 1, 9, 0)),  # Shopify
    ("2026-03-01 10:00", utc(2026, 3, 1, 9, 0)),
    ("01/03/2026 10:00", utc(2026, 3, 1, 9, 0)),  # Italian, day first
    ("01/03/2026 10:00:30", utc(2026, 3, 1, 9, 0, 30)),
    ("2026-03-29 02:30:00", utc(2026, 3, 29, 1, 30)),  # spring-forward gap: read as +01
    ("2026-10-25 02:30:00", utc(2026, 10, 25, 0, 30)),  # fall-back overlap: the first occurrence (+02)
    ("31/02/2026 10:00", None),
    ("2026-02-30 10:00:00", None),
    ("2026-03-01 25:00:00", None),
    ("yesterday", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_timestamp_forms(text: str, expected: datetime | None) -> None:
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    install_timestamp_macros(con)

    [(parsed,)] = con.execute(f"select {timestamp_sql('?', TZ)}", [text]).fetchall()

    assert parsed == expected


def test_naive_time_follows_the_configured_zone(landing: Path, warehouse: Path) -> None:
    write(landing, "sends/a.csv", f"{SENDS_HEADER}\n{send_line('s1', '2026-03-01 10:00:00')}\n")

    ingest_kind(landing, warehouse, "sends", "America/New_York")

    assert query(warehouse, "select sent_at from raw.sends") == [(utc(2026, 3, 1, 15, 0),)]


def test_each_form_through_ingestion(landing: Path, warehouse: Path) -> None:
    readable = [(text, expected) for text, expected in CASES if expected is not None]
    lines = [send_line(f"s{i:02d}", text) for i, (text, _) in enumerate(readable)]
    write(landing, "sends/a.csv", "\n".join([SENDS_HEADER, *lines]) + "\n")

    [load] = ingest_kind(landing, warehouse, "sends", TZ)

    assert load.rows_loaded == len(readable)
    got = query(warehouse, "select sent_at from raw.sends order by send_id")
    assert [row[0] for row in got] == [expected for _, expected in readable]
