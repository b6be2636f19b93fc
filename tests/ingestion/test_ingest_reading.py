"""Reading rules: encodings, delimiters, line endings, quoting, line numbers, text kept as given."""

from __future__ import annotations

import json
from pathlib import Path

from ingestion_helpers import SENDS_HEADER, TZ, query, send_line, utc, write

from orchestration.ingestion import ingest_kind


def test_bom_semicolon_and_crlf_are_read(landing: Path, warehouse: Path) -> None:
    header = SENDS_HEADER.replace(",", ";")
    rows = [send_line("s1", "2026-03-01T10:00:00Z"), send_line("s2", "2026-03-02T10:00:00Z")]
    body = "\r\n".join([header, *(r.replace(",", ";") for r in rows)]) + "\r\n"
    write(landing, "sends/a.csv", b"\xef\xbb\xbf" + body.encode())

    [load] = ingest_kind(landing, warehouse, "sends", TZ)

    assert (load.format, load.rows_read, load.rows_loaded, load.status) == ("canonical", 2, 2, "loaded")
    got = query(warehouse, "select send_id, source_system, _source_line from raw.sends order by send_id")
    assert got == [("s1", "esp", 2), ("s2", "esp", 3)]


def test_quoted_delimiter_and_newline_keep_text_and_following_line_numbers(
    landing: Path, warehouse: Path
) -> None:
    write(
        landing,
        "sends/a.csv",
        f"{SENDS_HEADER},note\n"
        f'{send_line("s1", "2026-03-01 10:00")},"two\nlines, one comma"\n'
        f'{send_line("s2", "2026-03-01 10:00")},"three\r\nphysical\nlines"\n'
        f"{send_line('s3', '2026-03-01 10:00')},plain\n",
    )

    ingest_kind(landing, warehouse, "sends", TZ)

    got = query(warehouse, "select send_id, _source_line, _extra_columns from raw.sends order by send_id")
    assert [(s, line) for s, line, _ in got] == [("s1", 2), ("s2", 4), ("s3", 7)]
    assert json.loads(got[0][2]) == {"note": "two\nlines, one comma"}
    assert json.loads(got[1][2]) == {"note": "three\r\nphysical\nlines"}


def test_text_is_kept_as_given_and_missing_optional_columns_are_null(landing: Path, warehouse: Path) -> None:
    write(
        landing,
        "sends/a.csv",
        f'{SENDS_HEADER}\ns1,c1,EMAIL,"  Mario.Rossi@Example.IT ",Audio,Soft_Spam,2026-03-01 10:00,Sì,ESP\n',
    )

    ingest_kind(landing, warehouse, "sends", TZ)

    got = query(
        warehouse,
        "select channel, email, promoted_category, legal_basis, has_opt_out_link, source_system, controller,"
        " _extra_columns from raw.sends",
    )
    assert got == [("EMAIL", "  Mario.Rossi@Example.IT ", "Audio", "Soft_Spam", "Sì", "ESP", None, None)]


def test_header_names_are_trimmed_and_case_insensitive(landing: Path, warehouse: Path) -> None:
    header = (
        " Send_ID , Campaign_Id,CHANNEL,email,promoted_category,legal_basis,Sent_At,"
        "has_opt_out_link,source_system"
    )
    write(landing, "sends/a.csv", f"{header}\n{send_line('s1', '2026-03-01 10:00')}\n")

    [load] = ingest_kind(landing, warehouse, "sends", TZ)

    assert load.format == "canonical"
    assert query(warehouse, "select send_id, campaign_id, sent_at from raw.sends") == [
        ("s1", "c1", utc(2026, 3, 1, 9, 0))
    ]


def test_latin1_file_is_decoded_and_the_ledger_says_so(landing: Path, warehouse: Path) -> None:
    text = f"{SENDS_HEADER},note\n{send_line('s1', '01/03/2026 10:00', 'niccolò@example.it')},perché è così\n"
    write(landing, "sends/excel.csv", text.encode("cp1252"))

    [load] = ingest_kind(landing, warehouse, "sends", TZ)

    assert load.status == "loaded"
    assert load.message == "not valid UTF-8: decoded as cp1252"
    got = query(warehouse, "select email, _extra_columns from raw.sends")
    assert got == [("niccolò@example.it", '{"note":"perché è così"}')]
    assert query(warehouse, "select message from raw.load_ledger") == [
        ("not valid UTF-8: decoded as cp1252",)
    ]


def test_header_only_file_loads_nothing_and_is_recorded(landing: Path, warehouse: Path) -> None:
    write(landing, "sends/empty_export.csv", SENDS_HEADER + "\n")

    [load] = ingest_kind(landing, warehouse, "sends", TZ)

    assert (load.status, load.rows_read, load.rows_loaded, load.rows_quarantined) == ("loaded", 0, 0, 0)
    assert query(warehouse, "select count(*) from raw.sends") == [(0,)]


def test_empty_file_is_quarantined_whole(landing: Path, warehouse: Path) -> None:
    write(landing, "sends/zero.csv", b"")

    [load] = ingest_kind(landing, warehouse, "sends", TZ)

    assert (load.status, load.message, load.rows_read, load.format) == ("quarantined", "empty file", 0, None)
    assert query(warehouse, "select file_name, line_number, reason from raw.quarantine") == [
        ("sends/zero.csv", None, "empty file")
    ]


def test_every_table_exists_when_nothing_landed(landing: Path, warehouse: Path) -> None:
    assert ingest_kind(landing, warehouse, "consents", TZ) == []

    tables = {
        name
        for (name,) in query(warehouse, "select table_name from duckdb_tables() where schema_name = 'raw'")
    }
    expected = {
        "sales",
        "shopify_order_lines",
        "sends",
        "oppositions",
        "consents",
        "mailchimp_unsubscribes",
        "suppressions",
        "suppression_snapshots",
        "load_ledger",
        "quarantine",
        "reference_product_catalog",
    }
    assert expected <= tables
