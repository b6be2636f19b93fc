"""The lean baseline reads what the landing contract allows, not only what the demo writes: local
times at a clock change by docs/rules.md section 4.6, Italian times, optional columns that no file
of a kind has, and kinds without any file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from benchmarks import baseline


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2025-10-26 02:30:00", "2025-10-26 00:30:00+00"),  # repeated hour: its first occurrence
        ("26/10/2025 02:30", "2025-10-26 00:30:00+00"),
        ("2025-03-30 02:30:00", "2025-03-30 01:30:00+00"),  # skipped hour: the offset before
        ("2025-10-26 03:30:00", "2025-10-26 02:30:00+00"),
        ("01/07/2025 10:00", "2025-07-01 08:00:00+00"),
        ("2025-07-01T10:00:00+02:00", "2025-07-01 08:00:00+00"),
        ("31/06/2025 12:00", None),
    ],
)
def test_times_are_read_as_the_contract_reads_them(text: str, instant: str | None) -> None:
    sql = baseline.SQL.read_text()
    con = duckdb.connect()
    con.execute(sql[: sql.index("-- reference")])
    expected = None if instant is None else con.execute("select ?::timestamptz", [instant]).fetchone()[0]
    assert con.execute("select ts(?, 'Europe/Rome')", [text]).fetchone()[0] == expected


def test_an_optional_column_no_file_has_and_a_kind_without_files(tmp_path: Path) -> None:
    (tmp_path / "sends").mkdir()
    (tmp_path / "sends" / "sends.csv").write_text(
        "send_id;campaign_id;channel;email;promoted_category;legal_basis;sent_at;has_opt_out_link;source_system\n"
        "S1;C;Email; A@EXAMPLE.COM ;audio;soft_spam;01/07/2025 10:00;No;crm\n",
        encoding="utf-8",
    )
    found = baseline.run(tmp_path, "2026-11-01T00:00:00Z")
    assert found["sends"] == 1
    assert found["violations"] == {"NO_OPT_OUT_LINK": 1, "NO_SALE_RELATIONSHIP": 1}


@pytest.mark.parametrize(("granted_at", "gaps"), [("2026-09-15T10:00:00Z", 0), ("2026-10-31T10:00:00Z", 1)])
def test_only_a_consent_at_or_before_the_snapshot_lifts_what_it_owes(
    tmp_path: Path, granted_at: str, gaps: int
) -> None:
    files = {
        "reference/applications.csv": "application,channel,sends_marketing,sla_hours\n"
        "newsletter,email,yes,48\n",
        "oppositions/o.csv": "opposition_id,email,scope,opposed_at,source_system\n"
        "O1,a@example.com,email_marketing,2026-09-01T10:00:00Z,crm\n",
        "consents/c.csv": "consent_id,email,channel,status,event_at,source_system\n"
        f"C1,a@example.com,email,granted,{granted_at},web_form\n",
        "suppressions/newsletter/suppressed_2026-10-01.csv": "email\nb@example.com\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert baseline.run(tmp_path, "2026-11-01T00:00:00Z")["alignment_gaps"] == gaps
