from __future__ import annotations

import argparse
import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from orchestration.cli import main
from orchestration.cli.check_audience import check_audience_command
from orchestration.publish import latest_published
from orchestration.reports import audience
from orchestration.reports.audience import (
    AudienceFile,
    Verdict,
    judge_audience,
    parse_as_of,
    parse_audience,
    summarise,
    write_verdicts,
)
from orchestration.reports.warehouse import ReportError

from .fixture_warehouse import ANNA, LUCA, MARIO

# Stands in for the dbt macro: known persons as in marts.audience_eligibility, anyone else has no sale.
STAND_IN_ELIGIBILITY_SQL = """
select a.person_key, a.email, c.category as product_category, 'email' as channel,
       coalesce(m.is_eligible, false) as is_eligible, m.legal_basis,
       case when m.person_key is null then 'NO_SALE_RELATIONSHIP' else m.blocking_reason end
           as blocking_reason,
       timestamptz '2026-03-01 00:00:00+00' as evaluated_at
from audience_input a cross join staging.stg_reference__product_categories c
left join marts.audience_eligibility m
    on m.person_key = a.person_key and m.product_category = c.category and m.channel = 'email'
"""
AS_OF = datetime(2026, 3, 1, tzinfo=UTC)


def test_one_address_a_line_normalised_with_duplicates_and_blanks_counted() -> None:
    parsed = parse_audience(
        "\ufeffAnna.Rossi@Example.it\r\n\r\n  luca.bianchi@example.it \nanna.rossi@example.it\n   \n"
    )
    assert parsed == AudienceFile(
        addresses=[ANNA, LUCA], entries_read=5, blank_entries=2, duplicate_entries=1
    )


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_with_an_email_column(delimiter: str) -> None:
    rows = [
        ["customer", "Email", "note"],
        ["1", ANNA, 'said "hi",\nthen left'],
        ["2", "", "x"],
        ["3", LUCA.upper()],
    ]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL).writerows(rows)
    text = buffer.getvalue()
    parsed = parse_audience(text)
    assert parsed == AudienceFile(
        addresses=[ANNA, LUCA], entries_read=3, blank_entries=1, duplicate_entries=0
    )


def test_single_column_file_with_email_header() -> None:
    assert parse_audience("email\nmario.verdi@example.it\n").addresses == [MARIO]


def test_as_of_without_offset_is_in_the_configured_time_zone() -> None:
    assert parse_as_of("2026-03-01 10:00:00", "Europe/Rome") == datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    assert parse_as_of("2026-03-01T10:00:00+00:00", "Europe/Rome") == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert parse_as_of("2026-07-01", "Europe/Rome") == datetime(2026, 6, 30, 22, tzinfo=UTC)
    with pytest.raises(ReportError, match="not an ISO 8601 time"):
        parse_as_of("yesterday", "Europe/Rome")


def test_summary_line() -> None:
    verdicts = (
        [Verdict(f"ok{i}@x.it", True, "soft_spam", None) for i in range(1240)]
        + [Verdict(f"op{i}@x.it", False, None, "OPPOSED") for i in range(40)]
        + [Verdict(f"na{i}@x.it", False, None, "NOT_ANALOGOUS") for i in range(20)]
    )
    parsed = AudienceFile(
        [v.email for v in verdicts], entries_read=1303, blank_entries=2, duplicate_entries=1
    )
    first, second = summarise(verdicts, parsed).splitlines()
    assert first == "1,240 of 1,300 may be e-mailed: 40 OPPOSED, 20 NOT_ANALOGOUS"
    assert (
        second
        == "1,300 distinct addresses from 1,303 entries; 1 duplicate; 2 blank; eligible on soft_spam: 1,240."
    )


def test_unknown_addresses_are_judged_in_file_order(warehouse: Path) -> None:
    parsed = parse_audience(f"{MARIO}\nnew.person@example.it\n{ANNA}\n{LUCA}\n")
    verdicts = judge_audience(
        warehouse, parsed, "Audio", "email", AS_OF, eligibility_sql=STAND_IN_ELIGIBILITY_SQL
    )
    assert verdicts == [
        Verdict(MARIO, True, "consent", None),
        Verdict("new.person@example.it", False, None, "NO_SALE_RELATIONSHIP"),
        Verdict(ANNA, False, None, "OPPOSED"),
        Verdict(LUCA, True, "soft_spam", None),
    ]


def test_unknown_category_or_channel_fails_with_the_known_values(warehouse: Path) -> None:
    parsed = parse_audience(f"{ANNA}\n")
    with pytest.raises(ReportError, match="unknown category 'audoi'; known: audio, computers, smartphones"):
        judge_audience(warehouse, parsed, "audoi", "email", AS_OF, eligibility_sql=STAND_IN_ELIGIBILITY_SQL)
    with pytest.raises(ReportError, match="channel 'fax' is not a marketing channel; known: email, sms"):
        judge_audience(warehouse, parsed, "audio", "fax", AS_OF, eligibility_sql=STAND_IN_ELIGIBILITY_SQL)


def test_verdict_csv_is_neutralised(tmp_path: Path) -> None:
    target = write_verdicts(
        [Verdict("=cmd@x.it", False, None, "NO_SALE_RELATIONSHIP"), Verdict(LUCA, True, "soft_spam", None)],
        tmp_path / "audience_audio.csv",
    )
    with target.open(encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle)) == [
            ["email", "is_eligible", "legal_basis", "blocking_reason"],
            ["'=cmd@x.it", "false", "", "NO_SALE_RELATIONSHIP"],
            [LUCA, "true", "soft_spam", ""],
        ]


def test_check_audience_command(
    published_warehouse: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    compiled_at: list[datetime] = []
    compiled_for: list[Path] = []

    def fake_compile(warehouse_path: Path, evaluated_at: datetime) -> str:
        compiled_at.append(evaluated_at)
        compiled_for.append(warehouse_path)
        return STAND_IN_ELIGIBILITY_SQL

    monkeypatch.setattr(audience, "compile_eligibility_sql", fake_compile)
    audience_file = tmp_path / "planned.csv"
    audience_file.write_text(
        f"email,name\n{ANNA},Anna\n{LUCA},Luca\n{LUCA},Luca again\n,nobody\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOFTSPAM_OUTPUT", raising=False)
    args = argparse.Namespace(
        file=str(audience_file), category="audio", channel="email", as_of="2026-03-01T00:00:00Z",
        warehouse=str(published_warehouse), output=None,
    )  # fmt: skip
    assert check_audience_command(args) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "1 of 2 may be e-mailed: 1 OPPOSED"
    assert compiled_at == [AS_OF]
    # the published copy, under the warehouse's file name: dbt qualifies refs by the file's stem
    published, manifest = latest_published(published_warehouse)
    assert compiled_for == [published] and published.name == published_warehouse.name
    assert out.splitlines()[-1].endswith(f"build {manifest['build_id']}): output/audience_audio.csv")
    with (tmp_path / "output" / "audience_audio.csv").open(encoding="utf-8", newline="") as handle:
        assert [row["email"] for row in csv.DictReader(handle)] == [ANNA, LUCA]


def test_check_audience_command_reports_a_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["check-audience", str(tmp_path / "absent.txt"), "--category", "audio"]
    assert main([*arguments, "--warehouse", str(tmp_path / "w.duckdb")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "cannot be read" in err and err.count("\n") == 1
