"""Shopify order exports and Mailchimp unsubscribed exports, recognised from their header."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from ingestion_helpers import TZ, query, utc, write

from orchestration.ingestion import ingest_kind

SHOPIFY_HEADER = (
    "Name,Email,Financial Status,Paid at,Accepts Marketing,Currency,Total,Created at,Lineitem quantity,"
    "Lineitem name,Lineitem price,Lineitem sku,Cancelled at,Id,Vendor"
)


def test_shopify_order_fields_are_carried_to_every_line_of_the_order(landing: Path, warehouse: Path) -> None:
    write(
        landing,
        "sales/orders_export.csv",
        f"{SHOPIFY_HEADER}\n"
        "#1001,anna@x.it,paid,2026-03-01 10:05:00 +0100,yes,EUR,120.00,2026-03-01 10:00:00 +0100,"
        "1,Phone,100,SMA-001,,5001,Acme\n"
        "#1001,,,,,,,,2,Case,10,ACC-001,,,Acme\n"
        "#1001,,,,,,,,1,Cable,0,ACC-002,,,Acme\n"
        "#1002,bruno@x.it,pending,,no,EUR,0.00,2026-03-02 11:00:00 +0100,1,Earbuds,0,AUD-001,"
        "2026-03-03 09:00:00 +0100,5002,Acme\n"
        "#1002,,,,,,,,1,Pouch,0,ACC-003,,,Acme\n",
    )

    [load] = ingest_kind(landing, warehouse, "sales", TZ)

    assert (load.format, load.rows_read, load.rows_loaded) == ("shopify", 5, 5)
    got = query(
        warehouse,
        """select order_name, line_number, order_id, email, financial_status, accepts_marketing, total,
                  created_at, cancelled_at, lineitem_quantity, lineitem_name, lineitem_sku, _source_line
           from raw.shopify_order_lines order by _source_line""",
    )
    march_1, march_2, march_3 = utc(2026, 3, 1, 9, 0), utc(2026, 3, 2, 10, 0), utc(2026, 3, 3, 8, 0)
    assert got == [
        ("#1001", 1, "5001", "anna@x.it", "paid", "yes", "120.00", march_1, None, "1", "Phone", "SMA-001", 2),
        ("#1001", 2, "5001", "anna@x.it", "paid", "yes", "120.00", march_1, None, "2", "Case", "ACC-001", 3),
        ("#1001", 3, "5001", "anna@x.it", "paid", "yes", "120.00", march_1, None, "1", "Cable", "ACC-002", 4),
        (
            "#1002",
            1,
            "5002",
            "bruno@x.it",
            "pending",
            "no",
            "0.00",
            march_2,
            march_3,
            "1",
            "Earbuds",
            "AUD-001",
            5,
        ),
        (
            "#1002",
            2,
            "5002",
            "bruno@x.it",
            "pending",
            "no",
            "0.00",
            march_2,
            march_3,
            "1",
            "Pouch",
            "ACC-003",
            6,
        ),
    ]
    extras = query(warehouse, "select distinct _extra_columns from raw.shopify_order_lines order by 1")
    assert extras == [
        ('{"Paid at":"2026-03-01 10:05:00 +0100","Currency":"EUR","Vendor":"Acme"}',),
        ('{"Paid at":null,"Currency":"EUR","Vendor":"Acme"}',),
        ('{"Paid at":null,"Currency":null,"Vendor":"Acme"}',),
    ]


def test_shopify_without_optional_columns_and_its_quarantine_reasons(landing: Path, warehouse: Path) -> None:
    write(
        landing,
        "sales/minimal.csv",
        "Lineitem sku;Created at;Financial Status;Email;Name\n"
        "SMA-001;2026-03-01 10:00:00 +0100;paid;a@x.it;#1\n"
        ";;;;\n"
        "SMA-002;32/01/2026 10:00;paid;b@x.it;#2\n"
        "SMA-003;;paid;c@x.it;#3\n",
    )

    [load] = ingest_kind(landing, warehouse, "sales", TZ)

    assert (load.format, load.rows_read, load.rows_loaded, load.rows_quarantined) == ("shopify", 4, 1, 3)
    assert query(
        warehouse, "select order_name, order_id, total, cancelled_at from raw.shopify_order_lines"
    ) == [("#1", None, None, None)]
    assert query(warehouse, "select line_number, reason from raw.quarantine order by 1") == [
        (3, "missing Name"),
        (4, "unparseable Created at: '32/01/2026 10:00'"),
        (5, "missing Created at"),
    ]


MAILCHIMP_OLD = (
    "Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,"
    "LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,REGION,UNSUB_TIME,UNSUB_CAMPAIGN_TITLE,"
    "UNSUB_CAMPAIGN_ID,LEID,EUID,UNSUB_REASON,UNSUB_REASON_OTHER"
)


def test_mailchimp_old_layout_in_oppositions(landing: Path, warehouse: Path) -> None:
    write(
        landing,
        "oppositions/mailchimp_unsubscribed.csv",
        f"{MAILCHIMP_OLD}\n"
        "Anna@X.it,Anna,R,2,,,,,45.46,9.19,1,2,Europe/Rome,IT,MI,2026-03-01 10:00:00,Spring,c1,111,e1,"
        "NORMAL,\n"
        ",,,,,,,,,,,,,,,2026-03-01 10:00:00,Spring,c1,112,,NORMAL,\n"
        ",,,,,,,,,,,,,,,2026-03-01 10:00:00,Spring,c1,,,NORMAL,\n"
        "c@x.it,,,,,,,,,,,,,,,,Spring,c1,113,,NORMAL,\n",
    )

    [load] = ingest_kind(landing, warehouse, "oppositions", TZ)

    assert (load.format, load.rows_read, load.rows_loaded, load.rows_quarantined) == ("mailchimp", 4, 2, 2)
    got = query(
        warehouse,
        """select landing_kind, application, email_address, unsub_time, unsub_campaign_title,
                  unsub_campaign_id, unsub_reason, leid, euid, _source_line
           from raw.mailchimp_unsubscribes order by _source_line""",
    )
    # Mailchimp times are UTC, not local time
    assert got == [
        ("oppositions", None, "Anna@X.it", utc(2026, 3, 1, 10, 0), "Spring", "c1", "NORMAL", "111", "e1", 2),
        ("oppositions", None, None, utc(2026, 3, 1, 10, 0), "Spring", "c1", "NORMAL", "112", None, 3),
    ]
    assert query(warehouse, "select line_number, reason from raw.quarantine order by 1") == [
        (4, "missing LEID, EUID and Email Address"),
        (5, "missing UNSUB_TIME"),
    ]


def test_mailchimp_snapshot_in_suppressions_names_the_application(landing: Path, warehouse: Path) -> None:
    write(
        landing,
        "suppressions/mailchimp/unsubscribed_2026-03-05.csv",
        "Email Address,UNSUB_TIME,LEID,EUID,TAGS\na@x.it,2026-03-01 10:00:00,1,e1,vip\n",
    )

    [load] = ingest_kind(landing, warehouse, "suppressions", TZ)

    assert load.format == "mailchimp"
    assert query(
        warehouse,
        "select landing_kind, application, email_address, _extra_columns from raw.mailchimp_unsubscribes",
    ) == [("suppressions", "mailchimp", "a@x.it", '{"TAGS":"vip"}')]
    assert query(
        warehouse, "select application, format, snapshot_taken_at from raw.suppression_snapshots"
    ) == [("mailchimp", "mailchimp", utc(2026, 3, 4, 23, 0))]


def test_suppression_snapshot_time_column_then_file_name_then_mtime(landing: Path, warehouse: Path) -> None:
    write(
        landing,
        "suppressions/crm/export.csv",
        "email,suppressed_since,snapshot_taken_at\n"
        "a@x.it,2026-01-01,2026-03-01 08:00\n"
        "b@x.it,,2026-03-01 09:30\n"
        "c@x.it,,unknown\n",
    )
    write(landing, "suppressions/erp/suppressed_20260302.csv", "email\n")
    untimed = write(landing, "suppressions/pos/list.csv", "email\n")
    os.utime(untimed, (1772000000, 1772000000))

    loads = ingest_kind(landing, warehouse, "suppressions", TZ)

    assert [x.rows_loaded for x in loads] == [3, 0, 0]
    got = query(
        warehouse,
        "select _source_file, application, format, snapshot_taken_at"
        " from raw.suppression_snapshots order by 1",
    )
    assert got == [
        ("suppressions/crm/export.csv", "crm", "canonical", utc(2026, 3, 1, 8, 30)),
        ("suppressions/erp/suppressed_20260302.csv", "erp", "canonical", utc(2026, 3, 1, 23, 0)),
        ("suppressions/pos/list.csv", "pos", "canonical", datetime.fromtimestamp(1772000000, tz=UTC)),
    ]
    rows = query(
        warehouse,
        "select application, email, suppressed_since, _extra_columns from raw.suppressions order by 2",
    )
    assert rows == [
        ("crm", "a@x.it", utc(2025, 12, 31, 23, 0), None),
        ("crm", "b@x.it", None, None),
        ("crm", "c@x.it", None, None),
    ]


def test_identical_snapshots_of_two_applications_are_both_loaded(landing: Path, warehouse: Path) -> None:
    write(landing, "suppressions/crm/2026-03-01.csv", "email\na@x.it\n")
    write(landing, "suppressions/erp/2026-03-01.csv", "email\na@x.it\n")

    loads = ingest_kind(landing, warehouse, "suppressions", TZ)

    assert [x.file_name for x in loads] == [
        "suppressions/crm/2026-03-01.csv",
        "suppressions/erp/2026-03-01.csv",
    ]
    assert query(warehouse, "select application from raw.suppression_snapshots order by 1") == [
        ("crm",),
        ("erp",),
    ]
