"""Hostile landing files through the real ingestion API: the exact outcome of each.

Already covered exactly elsewhere (not repeated here): empty file and header-only file
(tests/ingestion/test_ingest_reading.py), Windows-1252/Latin-1 accents (same file), extra columns
(test_ingest_reading.py, quoted newline test), a header missing every required column
(test_ingest_quarantine.py), unparseable and 31/02 Italian times (test_ingest_quarantine.py),
a symbolic link to a file outside the landing folder (test_ingest_discovery.py).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from reliability_helpers import SENDS_HEADER, TZ, query, send_line, write

from orchestration.ingestion import ingest_kind

T = "2026-03-01 10:00"
NUL_ID, NUL_EMAIL = "s\x001", "a\x00b@x.it"


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing"
    folder.mkdir()
    return folder


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "warehouse" / "softspam.duckdb"


def _counts(load: object) -> tuple[object, ...]:
    return (load.status, load.rows_read, load.rows_loaded, load.rows_quarantined)  # type: ignore[attr-defined]


def _quarantine(warehouse: Path) -> list[tuple[object, ...]]:
    return query(warehouse, "select file_name, line_number, reason from raw.quarantine order by 1, 2")


def test_last_line_without_newline_is_loaded(landing: Path, warehouse: Path) -> None:
    write(landing, "sends/a.csv", f"{SENDS_HEADER}\n{send_line('s1', T)}\n{send_line('s2', T)}")

    [load] = ingest_kind(landing, warehouse, "sends", TZ)

    assert _counts(load) == ("loaded", 2, 2, 0)
    assert query(warehouse, "select send_id, source_system from raw.sends order by 1") == [
        ("s1", "esp"),
        ("s2", "esp"),
    ]


@pytest.mark.parametrize(
    ("cut", "reason"),
    [
        ('s2,c1,email,"a@x', "malformed CSV record: Value with unterminated quote found."),
        ("s2,c1,ema", "malformed CSV record: Expected Number of Columns: 9 Found: 3"),
    ],
    ids=["inside-a-quoted-field", "mid-record"],
)
def test_last_line_cut_mid_field_is_quarantined_with_its_line(
    landing: Path, warehouse: Path, cut: str, reason: str
) -> None:
    write(landing, "sends/a.csv", f"{SENDS_HEADER}\n{send_line('s1', T)}\n{cut}")

    [load] = ingest_kind(landing, warehouse, "sends", TZ)

    assert _counts(load) == ("loaded_with_quarantine", 2, 1, 1)
    assert _quarantine(warehouse) == [("sends/a.csv", 3, reason)]
    assert query(warehouse, "select raw_record from raw.quarantine") == [(cut,)]


def test_row_with_the_other_delimiter_is_quarantined_not_misread(landing: Path, warehouse: Path) -> None:
    semicolons = send_line("s2", T).replace(",", ";")
    write(
        landing, "sends/a.csv", f"{SENDS_HEADER}\n{send_line('s1', T)}\n{semicolons}\n{send_line('s3', T)}\n"
    )

    [load] = ingest_kind(landing, warehouse, "sends", TZ)

    assert _counts(load) == ("loaded_with_quarantine", 3, 2, 1)
    assert _quarantine(warehouse) == [
        ("sends/a.csv", 3, "malformed CSV record: Expected Number of Columns: 9 Found: 1")
    ]
    assert query(warehouse, "select raw_record from raw.quarantine") == [(semicolons,)]


def test_header_missing_one_required_column_is_quarantined_whole_naming_it(
    landing: Path, warehouse: Path
) -> None:
    header = SENDS_HEADER.replace(",has_opt_out_link", "")
    write(landing, "sends/a.csv", f"{header}\ns1,c1,email,a@x.it,audio,soft_spam,{T},esp\n")

    [load] = ingest_kind(landing, warehouse, "sends", TZ)

    assert _counts(load) == ("quarantined", 1, 0, 1)
    assert load.message == (
        "sends file sends/a.csv: header matches no known format; expected canonical sends columns "
        "send_id, campaign_id, channel, email, promoted_category, legal_basis, sent_at, has_opt_out_link, "
        "source_system (missing: has_opt_out_link)"
    )
    assert query(warehouse, "select count(*) from raw.sends") == [(0,)]


def test_duplicate_required_column_quarantines_the_file_whole(landing: Path, warehouse: Path) -> None:
    write(landing, "sends/a.csv", f"{SENDS_HEADER},EMAIL\n{send_line('s1', T)},b@x.it\n")

    [load] = ingest_kind(landing, warehouse, "sends", TZ)

    assert _counts(load) == ("quarantined", 1, 0, 1)
    assert load.message == ("sends file sends/a.csv: duplicate columns email: cannot tell which one to read")


def test_impossible_times_are_quarantined_and_far_future_ones_loaded_then_flagged_by_gx(
    landing: Path, warehouse: Path
) -> None:
    from orchestration.quality import validate_kind

    write(
        landing,
        "sends/a.csv",
        f"{SENDS_HEADER}\n"
        f"{send_line('s1', '9999-12-31 23:59:59')}\n"
        f"{send_line('s2', '2026-02-31 10:00:00')}\n"
        f"{send_line('s3', '2026-02-29T10:00:00Z')}\n"
        f"{send_line('s4', '2026-13-01 10:00')}\n"
        f"{send_line('s5', '2126-03-01T10:00:00+01:00')}\n",
    )

    loads = ingest_kind(landing, warehouse, "sends", TZ)

    assert _counts(loads[0]) == ("loaded_with_quarantine", 5, 2, 3)
    assert _quarantine(warehouse) == [
        ("sends/a.csv", 3, "unparseable sent_at: '2026-02-31 10:00:00'"),
        ("sends/a.csv", 4, "unparseable sent_at: '2026-02-29T10:00:00Z'"),
        ("sends/a.csv", 5, "unparseable sent_at: '2026-13-01 10:00'"),
    ]
    assert query(warehouse, "select send_id, sent_at from raw.sends order by 1") == [
        ("s1", datetime(9999, 12, 31, 22, 59, 59, tzinfo=UTC)),
        ("s5", datetime(2126, 3, 1, 9, 0, tzinfo=UTC)),
    ]
    validation = validate_kind(warehouse, "sends", loads, now=datetime(2026, 3, 1, tzinfo=UTC))
    found = {(f.expectation, f.column): (f.severity, f.unexpected_count) for f in validation.findings}
    assert found == {("expect_column_values_to_be_between", "sent_at"): ("warning", 2)}


def test_invalid_and_overlong_addresses_are_loaded_verbatim(landing: Path, warehouse: Path) -> None:
    overlong = "x" * 5000 + "@example.it"
    addresses = ["not-an-address", "a@@b", "@example.it", " Spaced Out@Example.IT ", overlong, ""]
    rows = "".join(f"{send_line(f's{i}', T, chr(34) + a + chr(34))}\n" for i, a in enumerate(addresses))
    write(landing, "sends/a.csv", f"{SENDS_HEADER}\n{rows}")

    [load] = ingest_kind(landing, warehouse, "sends", TZ)

    assert _counts(load) == ("loaded", 6, 6, 0)
    got = query(warehouse, "select email from raw.sends order by _source_line")
    assert got == [(a if a else None,) for a in addresses]


def test_nul_bytes_are_kept_in_the_text(landing: Path, warehouse: Path) -> None:
    write(
        landing,
        "sends/a.csv",
        f"{SENDS_HEADER}\n{send_line(NUL_ID, T, NUL_EMAIL)}\n{send_line('s2', T)}\n",
    )

    [load] = ingest_kind(landing, warehouse, "sends", TZ)

    assert _counts(load) == ("loaded", 2, 2, 0)
    assert query(warehouse, "select send_id, email, _source_line from raw.sends order by 3") == [
        ("s\x001", "a\x00b@x.it", 2),
        ("s2", "a@example.it", 3),
    ]


def test_a_10_mb_field_quarantines_its_row_with_the_reason_and_the_file_still_loads(
    landing: Path, warehouse: Path
) -> None:
    huge = "x" * (10 * 1024 * 1024)
    write(
        landing, "sends/a.csv", f"{SENDS_HEADER},note\n{send_line('s1', T)},{huge}\n{send_line('s2', T)},ok\n"
    )

    [load] = ingest_kind(landing, warehouse, "sends", TZ)

    assert _counts(load) == ("loaded_with_quarantine", 2, 1, 1)
    [(line, reason, kept)] = query(
        warehouse, "select line_number, reason, length(raw_record) from raw.quarantine"
    )
    # DuckDB's reader refuses lines over 2,000,000 bytes; the quarantine keeps the first 10,000 characters
    assert (line, kept) == (2, 10000)
    assert reason == (
        "malformed CSV record: Maximum line size of 2000000 bytes exceeded. Actual Size:10485827 bytes."
    )
    assert query(warehouse, "select send_id, _source_line from raw.sends") == [("s2", 3)]


@pytest.mark.parametrize(
    "name",
    [
        'sends/it\'s "quoted".csv',
        "sends/with spaces and àèìòù 日本.csv",
        "sends/v1..2...csv",
        "sends/x'); drop table raw.sends; --.csv",
    ],
    ids=["quotes", "spaces-unicode", "dots", "sql-injection"],
)
def test_file_names_are_kept_verbatim(landing: Path, warehouse: Path, name: str) -> None:
    write(landing, name, f"{SENDS_HEADER}\n{send_line('s1', T)}\n")

    [load] = ingest_kind(landing, warehouse, "sends", TZ)

    assert (load.file_name, *_counts(load)) == (name, "loaded", 1, 1, 0)
    assert query(warehouse, "select _source_file from raw.sends") == [(name,)]
    assert query(warehouse, "select file_name from raw.load_ledger") == [(name,)]


def test_glob_characters_in_file_names_read_only_that_file(landing: Path, warehouse: Path) -> None:
    write(landing, "sends/a[1].csv", f"{SENDS_HEADER}\n{send_line('bracket', T)}\n")
    write(landing, "sends/a1.csv", f"{SENDS_HEADER}\n{send_line('plain', T)}\n")
    write(landing, "sends/b*.csv", f"{SENDS_HEADER}\n{send_line('star', T)}\n")
    write(landing, "sends/bz.csv", f"{SENDS_HEADER}\n{send_line('zed', T)}\n")

    loads = ingest_kind(landing, warehouse, "sends", TZ)

    assert [(x.file_name, x.rows_read) for x in loads] == [
        ("sends/a1.csv", 1),
        ("sends/a[1].csv", 1),
        ("sends/b*.csv", 1),
        ("sends/bz.csv", 1),
    ]
    assert query(warehouse, "select _source_file, send_id from raw.sends order by 1") == [
        ("sends/a1.csv", "plain"),
        ("sends/a[1].csv", "bracket"),
        ("sends/b*.csv", "star"),
        ("sends/bz.csv", "zed"),
    ]


def test_links_leaving_the_landing_folder_by_directory_or_dotdot_are_refused(
    tmp_path: Path, landing: Path, warehouse: Path
) -> None:
    outside = tmp_path / "outside"
    write(outside, "secret.csv", f"{SENDS_HEADER}\n{send_line('secret', T)}\n")
    (landing / "sends").mkdir()
    (landing / "sends" / "dir").symlink_to(outside, target_is_directory=True)
    (landing / "sends" / "up.csv").symlink_to(Path("..") / ".." / "outside" / "secret.csv")

    loads = ingest_kind(landing, warehouse, "sends", TZ)

    assert [(x.file_name, *_counts(x)) for x in loads] == [
        ("sends/dir", "quarantined", 0, 0, 0),
        ("sends/up.csv", "quarantined", 0, 0, 0),
    ]
    assert [x.message for x in loads] == [
        f"refused: symbolic link pointing outside the landing folder (to {outside})",
        "refused: symbolic link pointing outside the landing folder (to ../../outside/secret.csv)",
    ]
    assert query(warehouse, "select count(*) from raw.sends") == [(0,)]


def test_sql_injection_looking_values_are_stored_verbatim_and_nothing_is_dropped(
    landing: Path, warehouse: Path
) -> None:
    injection = "x'); drop table raw.sends; --"
    write(landing, "sends/a.csv", f"{SENDS_HEADER}\n{send_line('s0', T)}\n")
    ingest_kind(landing, warehouse, "sends", TZ)
    write(
        landing,
        "sends/b.csv",
        f'{SENDS_HEADER},note\n"{injection}",c1,email,"{injection}@x.it",audio,soft_spam,{T},true,esp,'
        f'"{injection.replace(chr(39), chr(39) * 2)}"\n',
    )

    [load] = ingest_kind(landing, warehouse, "sends", TZ)

    assert _counts(load) == ("loaded", 1, 1, 0)
    rows = query(warehouse, "select send_id, email, _extra_columns from raw.sends order by _load_id")
    assert [(send_id, email) for send_id, email, _ in rows] == [
        ("s0", "a@example.it"),
        (injection, f"{injection}@x.it"),
    ]
    assert rows[0][2] is None
    assert json.loads(rows[1][2]) == {"note": "x''); drop table raw.sends; --"}
    assert query(warehouse, "select count(*) from raw.load_ledger") == [(2,)]
