from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from orchestration.reports import write_outputs
from orchestration.reports.exports import neutralise_cell, safe_file_stem
from orchestration.reports.warehouse import ReportError

from .fixture_warehouse import (
    ANNA,
    FORMULA_EVIDENCE,
    LUCA,
    MARKUP_EVIDENCE,
    build_fixture_warehouse,
)

VIOLATION_COLUMNS = [
    "send_id", "source_system", "rule_code", "severity", "person_key", "email", "campaign_id", "channel",
    "legal_basis", "promoted_category", "sent_at", "evidence", "evidence_ref",
]  # fmt: skip


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_write_outputs_lists_every_deliverable(warehouse: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    written = write_outputs(warehouse, output)
    assert sorted(path.relative_to(output).as_posix() for path in written) == [
        "alignment_gaps.csv",
        "report.html",
        "suppression/crm.csv",
        "suppression/mailchimp.csv",
        "suppression/sms_gateway.csv",
        "violations.csv",
    ]
    # No temporary file survives a successful run.
    assert not [path for path in output.rglob(".*")]


def test_violations_round_trip_with_every_column(warehouse: Path, tmp_path: Path) -> None:
    write_outputs(warehouse, tmp_path)
    with (tmp_path / "violations.csv").open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == VIOLATION_COLUMNS
    rows = read_csv(tmp_path / "violations.csv")
    connection = duckdb.connect(str(warehouse), read_only=True)
    expected = connection.execute(
        "select send_id, rule_code, email, evidence, coalesce(evidence_ref, '') "
        "from marts.violations order by sent_at, send_id, source_system, rule_code"
    ).fetchall()
    connection.close()
    # Same rows in the same order; evidence with quotes, commas and a newline survives intact.
    assert [(r["send_id"], r["rule_code"], r["email"], r["evidence"], r["evidence_ref"]) for r in rows] == [
        (send_id, rule, email, neutralise_cell(evidence), ref)
        for send_id, rule, email, evidence, ref in expected
    ]
    assert any(row["evidence"] == MARKUP_EVIDENCE for row in rows)
    assert rows[0]["sent_at"] == "2026-02-02T09:00:00Z"


def test_formula_cells_are_neutralised_and_plain_cells_untouched(warehouse: Path, tmp_path: Path) -> None:
    write_outputs(warehouse, tmp_path)
    violation = next(row for row in read_csv(tmp_path / "violations.csv") if row["send_id"] == "S3")
    assert violation["campaign_id"] == "'=1+1"
    assert violation["evidence"] == "'" + FORMULA_EVIDENCE
    assert violation["legal_basis"] == "consent"
    gaps = read_csv(tmp_path / "alignment_gaps.csv")
    assert [(gap["application"], gap["opposition_id"], gap["hours_overdue"]) for gap in gaps] == [
        ("crm", "'-OPP-9", "86.5"),
        ("mailchimp", "OPP-7", "230.0"),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=SUM(A1)", "'=SUM(A1)"), ("+39 02", "'+39 02"), ("-1", "'-1"), ("@cmd", "'@cmd"), ("\tx", "'\tx"),
     ("\rx", "'\rx"), ("a=b", "a=b"), ("", ""), (None, None), (5, 5)],
)  # fmt: skip
def test_neutralise_cell(value: object, expected: object) -> None:
    assert neutralise_cell(value) == expected


def test_suppression_lists_per_marketing_application(warehouse: Path, tmp_path: Path) -> None:
    write_outputs(warehouse, tmp_path)
    mailchimp = read_csv(tmp_path / "suppression" / "mailchimp.csv")
    assert list(mailchimp[0]) == ["person_key", "email", "first_opposed_at", "opposition_id"]
    assert [(row["email"], row["first_opposed_at"], row["opposition_id"]) for row in mailchimp] == [
        (ANNA, "2026-01-20T10:00:00Z", "OPP-7"),
        (LUCA, "2026-01-25T10:00:00.250000Z", "'+OPP-9"),
    ]
    assert [row["email"] for row in read_csv(tmp_path / "suppression" / "sms_gateway.csv")] == [ANNA]
    # ecommerce holds contact data but sends no marketing: it gets no list.
    assert not (tmp_path / "suppression" / "ecommerce.csv").exists()


def test_an_application_with_nothing_to_suppress_gets_a_header_only_list(
    warehouse: Path, tmp_path: Path
) -> None:
    connection = duckdb.connect(str(warehouse))
    connection.execute("delete from marts.application_suppressions where application = 'crm'")
    connection.close()
    write_outputs(warehouse, tmp_path)
    assert (tmp_path / "suppression" / "crm.csv").read_text(encoding="utf-8") == (
        "person_key,email,first_opposed_at,opposition_id\n"
    )


def test_missing_application_suppressions_fails_before_writing_anything(tmp_path: Path) -> None:
    warehouse = build_fixture_warehouse(tmp_path / "w.duckdb", with_application_suppressions=False)
    with pytest.raises(ReportError, match=r"marts\.application_suppressions"):
        write_outputs(warehouse, tmp_path / "output")
    assert not (tmp_path / "output").exists()


def test_missing_warehouse_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="does not exist"):
        write_outputs(tmp_path / "absent.duckdb", tmp_path / "output")


def test_outputs_do_not_change_the_warehouse(warehouse: Path, tmp_path: Path) -> None:
    before = warehouse.read_bytes()
    write_outputs(warehouse, tmp_path / "output")
    assert warehouse.read_bytes() == before


@pytest.mark.parametrize(
    ("application", "stem"),
    [("mailchimp", "mailchimp"), ("../etc/passwd", "_etc_passwd"), ("crm eu", "crm_eu")],
)
def test_application_names_never_escape_the_suppression_folder(application: str, stem: str) -> None:
    assert safe_file_stem(application) == stem


def add_propagation(warehouse: Path) -> None:
    """marts.propagation for the fixture's owed persons (the columns the delta reads): Anna is
    missing from the latest snapshots of mailchimp and crm, Luca from mailchimp's; objections
    recorded without a source system, as an export may leave it."""
    connection = duckdb.connect(str(warehouse))
    connection.execute(
        "alter table marts.application_suppressions add column scope varchar default 'all_marketing'; "
        "alter table marts.application_suppressions add column source_system varchar"
    )
    connection.execute(
        """
        create table marts.propagation as
        select application, person_key, opposition_id, source_system,
               first_opposed_at as opposed_at, null::timestamptz as first_seen_at,
               null::double as hours_to_propagate, null::boolean as is_within_sla, 48 as sla_hours,
               first_opposed_at + interval 48 hours as due_at,
               timestamptz '2026-02-01 00:00:00+00' as latest_snapshot_taken_at,
               application = 'sms_gateway' as is_in_latest_snapshot
        from marts.application_suppressions
        """
    )
    connection.close()


def test_deltas_list_what_each_latest_snapshot_lacks_with_cells_neutralised(
    warehouse: Path, tmp_path: Path
) -> None:
    add_propagation(warehouse)
    written = write_outputs(warehouse, tmp_path)
    assert {path.relative_to(tmp_path).as_posix() for path in written} >= {
        "suppression/crm.delta.csv",
        "suppression/mailchimp.delta.csv",
        "suppression/mailchimp.mailchimp_unsubscribe.csv",
        "suppression/sms_gateway.delta.csv",
    }
    assert not (tmp_path / "suppression" / "crm.mailchimp_unsubscribe.csv").exists()
    columns = ("email", "opposition_id", "opposed_at", "due_at", "hours_overdue")
    mailchimp = read_csv(tmp_path / "suppression" / "mailchimp.delta.csv")
    assert [tuple(row[c] for c in columns) for row in mailchimp] == [
        (ANNA, "OPP-7", "2026-01-20T10:00:00Z", "2026-01-22T10:00:00Z", "230.0"),
        (LUCA, "'+OPP-9", "2026-01-25T10:00:00.250000Z", "2026-01-27T10:00:00.250000Z", ""),
    ]
    assert {row["snapshot_taken_at"] for row in mailchimp} == {"2026-02-01T00:00:00Z"}
    # crm's gap in alignment_gaps is Luca's, not Anna's: Anna's row has no hours overdue
    assert [
        (row["email"], row["hours_overdue"]) for row in read_csv(tmp_path / "suppression" / "crm.delta.csv")
    ] == [(ANNA, "")]
    assert (tmp_path / "suppression" / "sms_gateway.delta.csv").read_text(encoding="utf-8") == (
        "person_key,email,opposition_id,opposed_at,scope,source_system,due_at,snapshot_taken_at,hours_overdue\n"
    )
    assert (tmp_path / "suppression" / "mailchimp.mailchimp_unsubscribe.csv").read_text(encoding="utf-8") == (
        f"Email Address\n{ANNA}\n{LUCA}\n"
    )
