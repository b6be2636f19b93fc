"""Propagation (docs/rules.md section 7): one small company, two sending applications with three
suppression snapshots each, built once through the in-process pipeline; marts.propagation gives
exact hours, and the same warehouse feeds the delta exports and the report's figures.

crm (SLA 72 h) lands three canonical snapshots in files whose names sort against their times;
mailchimp (SLA 48 h) lands two canonical ones and a Mailchimp "unsubscribed" export dated by its
file name (2026-03-05: midnight in Rome, 2026-03-04 23:00 UTC). ecommerce sends no marketing.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from orchestration.reports.exports import write_suppression_deltas
from orchestration.reports.report_data import propagation_by_application

from .harness import Company, rows

pytestmark = pytest.mark.slow

OPPOSITIONS = [
    # who, id, scope, opposed_at (UTC)
    ("anna", "OPP-A", "email_marketing", "2026-03-01 10:00"),
    ("bruno", "OPP-B", "soft_spam", "2026-03-02 06:00"),
    ("carla", "OPP-C1", "soft_spam", "2026-02-27 00:00"),
    ("carla", "OPP-C2", "email_marketing", "2026-03-05 12:00"),
    ("dario", "OPP-D", "email_marketing", "2026-03-06 00:00"),
    ("elena", "OPP-E", "email_marketing", "2026-03-01 18:00"),
    ("fabio", "OPP-F", "email_marketing", "2026-03-01 12:00"),
    ("gina", "OPP-G", "email_marketing", "2026-03-09 12:00"),
    # lifted by hugo's e-mail consent the next day: owed to nobody
    ("hugo", "OPP-H", "email_marketing", "2026-03-01 00:00"),
]
CRM_SNAPSHOTS = {
    # file name: (taken at, who is on it); the names sort latest first
    "export_c.csv": ("2026-03-01 00:00", ["fabio", "carla"]),
    "export_b.csv": ("2026-03-03 00:00", ["fabio", "carla", "anna", "elena"]),
    "export_a.csv": ("2026-03-10 00:00", ["fabio", "carla", "anna", "bruno"]),
}
MAILCHIMP_SNAPSHOTS = {
    "list_2026-03-02.csv": ("2026-03-02 00:00", ["carla", "anna"]),
    "list_2026-03-09.csv": ("2026-03-09 00:00", ["carla", "anna", "bruno", "fabio", "elena"]),
}
MAILCHIMP_EXPORT = ("unsubscribed_2026-03-05.csv", ["carla", "anna", "bruno", "fabio"])


def email(who: str) -> str:
    return f"{who}@example.it"


def utc(minute: str) -> str:
    return f"{minute.replace(' ', 'T')}:00+00:00"


def land_company(company: Company) -> None:
    company.land(
        "reference/applications.csv",
        ["application", "channel", "sends_marketing", "sla_hours"],
        [
            {"application": "crm", "channel": "email", "sends_marketing": "true", "sla_hours": "72"},
            {"application": "mailchimp", "channel": "email", "sends_marketing": "true", "sla_hours": "48"},
            {"application": "ecommerce", "channel": "email", "sends_marketing": "false", "sla_hours": "72"},
        ],
    )
    company.land_canonical("oppositions", "crm.csv", [
        {"opposition_id": id_, "email": email(who), "scope": scope, "opposed_at": utc(at),
         "source_system": "crm"}
        for who, id_, scope, at in OPPOSITIONS
    ])  # fmt: skip
    company.land_canonical("consents", "preferences.csv", [
        {"consent_id": "K-H", "email": email("hugo"), "channel": "email", "status": "granted",
         "event_at": utc("2026-03-02 00:00"), "source_system": "preference_center"},
    ])  # fmt: skip
    for application, snapshots in (("crm", CRM_SNAPSHOTS), ("mailchimp", MAILCHIMP_SNAPSHOTS)):
        for name, (taken_at, persons) in snapshots.items():
            company.land(
                f"suppressions/{application}/{name}",
                ["email", "snapshot_taken_at"],
                [{"email": email(who), "snapshot_taken_at": utc(taken_at)} for who in persons],
            )
    name, persons = MAILCHIMP_EXPORT
    company.land(
        f"suppressions/mailchimp/{name}",
        ["Email Address", "UNSUB_TIME", "LEID"],
        [{"Email Address": email(who), "UNSUB_TIME": "2026-03-01 09:00:00", "LEID": who} for who in persons],
    )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    company = Company(tmp_path_factory.mktemp("propagation"))
    land_company(company)
    company.run()
    return company.warehouse


def test_propagation_gives_the_exact_hours_per_application_and_objection(warehouse: Path) -> None:
    found = rows(
        warehouse,
        """
        select application, opposition_id,
               strftime(timezone('UTC', first_seen_at), '%m-%d %H:%M'), hours_to_propagate, is_within_sla,
               is_already_suppressed, is_in_latest_snapshot
        from marts.propagation
        """,
    )
    assert found == sorted([
        # seen in the second snapshot, 38 h after the objection
        ("crm", "OPP-A", "03-03 00:00", 38.0, True, False, True),
        ("crm", "OPP-B", "03-10 00:00", 186.0, False, False, True),
        # objected before any snapshot: the first one shows her
        ("crm", "OPP-C1", "03-01 00:00", 48.0, True, False, True),
        # her second objection: already on the list in force (03-03), 0 h
        ("crm", "OPP-C2", "03-03 00:00", 0.0, True, True, True),
        # never shown: late, since the latest snapshot (03-10) is after the deadline (03-09)
        ("crm", "OPP-D", None, None, False, False, False),
        # shown on 03-03, dropped on 03-10
        ("crm", "OPP-E", "03-03 00:00", 30.0, True, False, False),
        ("crm", "OPP-F", "03-01 00:00", 0.0, True, True, True),
        # never shown, not due before the latest snapshot: undecided
        ("crm", "OPP-G", None, None, None, False, False),
        ("mailchimp", "OPP-A", "03-02 00:00", 14.0, True, False, True),
        # shown by the Mailchimp export, dated 2026-03-05 in Rome
        ("mailchimp", "OPP-B", "03-04 23:00", 65.0, False, False, True),
        ("mailchimp", "OPP-C1", "03-02 00:00", 72.0, False, False, True),
        ("mailchimp", "OPP-C2", "03-04 23:00", 0.0, True, True, True),
        ("mailchimp", "OPP-D", None, None, False, False, False),
        ("mailchimp", "OPP-E", "03-09 00:00", 174.0, False, False, True),
        ("mailchimp", "OPP-F", "03-04 23:00", 83.0, False, False, True),
        ("mailchimp", "OPP-G", None, None, None, False, False),
    ], key=repr)  # fmt: skip


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_each_application_gets_what_its_latest_snapshot_lacks(warehouse: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        connection.execute("set TimeZone = 'UTC'")
        written = write_suppression_deltas(connection, tmp_path)
    assert sorted(path.name for path in written) == [
        "crm.delta.csv",
        "mailchimp.delta.csv",
        "mailchimp.mailchimp_unsubscribe.csv",
    ]
    crm = read_csv(tmp_path / "suppression" / "crm.delta.csv")
    columns = ("email", "opposition_id", "scope", "opposed_at", "due_at", "hours_overdue")
    assert [tuple(row[c] for c in columns) for row in crm] == [
        (email("elena"), "OPP-E", "email_marketing", "2026-03-01T18:00:00Z", "2026-03-04T18:00:00Z", "126.0"),
        (email("dario"), "OPP-D", "email_marketing", "2026-03-06T00:00:00Z", "2026-03-09T00:00:00Z", "24.0"),
        # owed, not yet due: sent now all the same
        (email("gina"), "OPP-G", "email_marketing", "2026-03-09T12:00:00Z", "2026-03-12T12:00:00Z", ""),
    ]  # fmt: skip
    assert {row["snapshot_taken_at"] for row in crm} == {"2026-03-10T00:00:00Z"}
    mailchimp = read_csv(tmp_path / "suppression" / "mailchimp.delta.csv")
    assert [(row["email"], row["hours_overdue"]) for row in mailchimp] == [
        (email("dario"), "24.0"),
        (email("gina"), ""),
    ]
    assert (tmp_path / "suppression" / "mailchimp.mailchimp_unsubscribe.csv").read_text(encoding="utf-8") == (
        f"Email Address\n{email('dario')}\n{email('gina')}\n"
    )


def test_propagation_figures_per_application(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        connection.execute("set TimeZone = 'UTC'")
        figures = {row.pop("application"): row for row in propagation_by_application(connection) or []}
    for row in figures.values():
        row["snapshots"] = [
            (
                point["snapshot_taken_at"].strftime("%m-%d %H:%M"),
                point["owed"],
                point["propagated"],
                point["share_propagated"],
                point["late"],
            )
            for point in row["snapshots"]
        ]
    assert figures == {
        "crm": {
            "sla_hours": 72, "owed": 8, "propagated": 6, "never_propagated": 2,
            # hours 0, 0, 30, 38, 48, 186
            "median_hours": 34.0, "p95_hours": 151.5,
            "judged": 7, "within_sla": 5, "share_within_sla": 5 / 7,
            # per snapshot: owed by then, shown by then, their share, late by then
            "snapshots": [("03-01 00:00", 1, 1, 1.0, 0), ("03-03 00:00", 5, 4, 0.8, 0),
                          ("03-10 00:00", 8, 6, 0.75, 2)],
        },
        "mailchimp": {
            "sla_hours": 48, "owed": 8, "propagated": 6, "never_propagated": 2,
            # hours 0, 14, 65, 72, 83, 174
            "median_hours": 68.5, "p95_hours": 151.25,
            "judged": 7, "within_sla": 2, "share_within_sla": 2 / 7,
            "snapshots": [("03-02 00:00", 4, 2, 0.5, 1), ("03-04 23:00", 5, 4, 0.8, 4),
                          ("03-09 00:00", 7, 6, 6 / 7, 5)],
        },
    }  # fmt: skip
