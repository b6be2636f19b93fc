"""A change of the policy time zone reads every landed local time again: the raw instants then
equal those of a fresh ingestion under the new zone, and rows loaded or quarantined stay the same."""

from __future__ import annotations

from pathlib import Path

import duckdb
from ingestion_helpers import SENDS_HEADER, query, send_line, utc, write

from orchestration.ingestion import ingest_kind
from orchestration.ingestion.raw_schema import LANDED_TABLES
from orchestration.ingestion.readings import reread_landed_times

ROME, NEW_YORK = "Europe/Rome", "America/New_York"
KINDS = ("sales", "sends", "oppositions", "consents", "suppressions")
SHOPIFY_HEADER = "Name,Email,Financial Status,Total,Created at,Lineitem sku,Cancelled at,Id"
COMPARED = [*LANDED_TABLES, "suppression_snapshots", "clock_change_readings"]


def _land(landing: Path) -> None:
    write(
        landing,
        "sales/shop.csv",
        "order_id,line_id,email,product_category,ordered_at,source_system\n"
        "o1,1,a@x.it,audio,2026-10-25 02:30:00,ecommerce\n"  # repeated in Rome
        "o2,1,a@x.it,audio,01/11/2026 01:30,pos\n"  # repeated in New York
        "o3,1,a@x.it,audio,2026-03-01T10:00:00+01:00,ecommerce\n",  # an offset: never re-read
    )
    write(
        landing,
        "sales/orders_export.csv",
        f"{SHOPIFY_HEADER}\n"
        "#1001,b@x.it,paid,10,2026-03-29 02:30:00,SMA-001,2026-03-08 02:30,5001\n"
        "#1001,,,,,ACC-001,,\n"
        "#1002,b@x.it,paid,10,2026-03-02 11:00:00 +0100,SMA-001,not a time,5002\n",
    )
    write(
        landing,
        "sends/a.csv",
        "\n".join(
            [
                SENDS_HEADER,
                send_line("s1", "2026-03-08 02:30:00"),
                send_line("s2", "2026-07-01T10:00"),
                "s3,c1",
            ]
        )
        + "\n",
    )
    write(
        landing,
        "oppositions/crm.csv",
        "opposition_id,email,scope,opposed_at,recorded_at,source_system\n"
        "p1,a@x.it,soft_spam,2026-11-01 01:30:00,2026-11-01 09:00,crm\n"
        "p2,a@x.it,soft_spam,,2026-11-01 09:00,crm\n",
    )
    write(
        landing,
        "oppositions/mailchimp.csv",
        "Email Address,UNSUB_TIME,LEID\nc@x.it,2026-10-25 02:30:00,77\n",
    )
    write(
        landing,
        "consents/pc.csv",
        "consent_id,email,channel,status,event_at,source_system\n"
        "k1,a@x.it,email,granted,2026-06-01 12:00,pc\n",
    )
    write(
        landing,
        "suppressions/crm/suppressed_2026-03-08.csv",
        "email,suppressed_since\nd@x.it,2026-03-08 02:15\n",
    )
    write(
        landing,
        "suppressions/esp/list.csv",
        "email,snapshot_taken_at\nd@x.it,2026-11-01 01:15:00\ne@x.it,2026-10-31 23:00:00\n",
    )


def _ingest(landing: Path, warehouse: Path, timezone: str) -> list:
    return [load for kind in KINDS for load in ingest_kind(landing, warehouse, kind, timezone)]


def _contents(warehouse: Path) -> dict[str, list[tuple]]:
    contents = {table: query(warehouse, f"select * from raw.{table} order by all") for table in COMPARED}  # noqa: S608
    contents["quarantine"] = query(
        warehouse, "select load_id, file_name, line_number, reason from raw.quarantine order by all"
    )
    contents["ledger"] = query(
        warehouse,
        "select load_id, file_name, rows_read, rows_loaded, rows_quarantined, status"
        " from raw.load_ledger order by 1",
    )
    return contents


def test_a_new_zone_reads_every_landed_local_time_again(tmp_path: Path, landing: Path) -> None:
    _land(landing)
    changed, fresh = tmp_path / "changed.duckdb", tmp_path / "fresh.duckdb"
    _ingest(landing, changed, ROME)
    in_rome = _contents(changed)

    assert _ingest(landing, changed, NEW_YORK) == []  # nothing new to load
    _ingest(landing, fresh, NEW_YORK)

    assert _contents(changed) == _contents(fresh)
    assert _contents(changed)["sends"] != in_rome["sends"]
    # and back again
    _ingest(landing, changed, ROME)
    assert _contents(changed) == in_rome


def test_what_is_read_again_and_what_is_not(tmp_path: Path, landing: Path) -> None:
    _land(landing)
    warehouse = tmp_path / "w.duckdb"
    _ingest(landing, warehouse, ROME)

    reread = reread_landed_times(warehouse, NEW_YORK)

    assert reread is not None and reread.rows_without_text == 0
    assert "from Europe/Rome to America/New_York" in reread.note
    assert query(warehouse, "select order_id, ordered_at from raw.sales order by 1") == [
        ("o1", utc(2026, 10, 25, 6, 30)),
        ("o2", utc(2026, 11, 1, 5, 30)),  # the first 01:30 (EDT)
        ("o3", utc(2026, 3, 1, 9, 0)),
    ]
    assert query(warehouse, "select unsub_time from raw.mailchimp_unsubscribes") == [
        (utc(2026, 10, 25, 2, 30),)
    ]
    assert query(warehouse, "select snapshot_taken_at from raw.suppression_snapshots order by 1") == [
        (utc(2026, 3, 8, 5, 0),),  # midnight of the file name's date, in New York
        (utc(2026, 11, 1, 5, 15),),
    ]
    assert reread_landed_times(warehouse, NEW_YORK) is None
    notes = query(warehouse, "select timezone, note from raw.reading_settings order by recorded_at, rowid")
    assert [zone for zone, _ in notes] == [ROME, NEW_YORK]


def test_clock_changes_are_listed_for_the_zone_in_force(tmp_path: Path, landing: Path) -> None:
    _land(landing)
    warehouse = tmp_path / "w.duckdb"
    sql = "select table_name, column_name, time_text, reading from raw.clock_change_readings order by all"

    _ingest(landing, warehouse, ROME)
    in_rome = query(warehouse, sql)
    _ingest(landing, warehouse, NEW_YORK)
    in_new_york = query(warehouse, sql)

    assert in_rome == [
        ("sales", "ordered_at", "2026-10-25 02:30:00", "ambiguous"),
        ("shopify_order_lines", "created_at", "2026-03-29 02:30:00", "nonexistent"),
        ("shopify_order_lines", "created_at", "2026-03-29 02:30:00", "nonexistent"),
    ]
    assert in_new_york == [
        ("oppositions", "opposed_at", "2026-11-01 01:30:00", "ambiguous"),
        ("sales", "ordered_at", "01/11/2026 01:30", "ambiguous"),
        ("sends", "sent_at", "2026-03-08 02:30:00", "nonexistent"),
        ("shopify_order_lines", "cancelled_at", "2026-03-08 02:30", "nonexistent"),
        ("shopify_order_lines", "cancelled_at", "2026-03-08 02:30", "nonexistent"),
        ("suppression_snapshots", "snapshot_taken_at", "2026-11-01 01:15:00", "ambiguous"),
        ("suppressions", "suppressed_since", "2026-03-08 02:15", "nonexistent"),
    ]


def test_a_warehouse_made_before_the_texts_were_kept(tmp_path: Path, landing: Path) -> None:
    write(landing, "sends/a.csv", f"{SENDS_HEADER}\n{send_line('s1', '2026-03-01 10:00:00')}\n")
    warehouse = tmp_path / "w.duckdb"
    ingest_kind(landing, warehouse, "sends", ROME)
    con = duckdb.connect(str(warehouse))
    con.execute("alter table raw.sends drop column sent_at_text")
    con.execute("drop table raw.reading_settings")
    con.close()
    write(landing, "sends/b.csv", f"{SENDS_HEADER}\n{send_line('s2', '2026-03-01 10:00:00')}\n")

    [load] = ingest_kind(landing, warehouse, "sends", ROME)  # the column comes back, empty
    reread = reread_landed_times(warehouse, NEW_YORK)

    assert load.rows_loaded == 1
    assert reread is not None and reread.rows_without_text == 1
    assert "1 rows landed before their time texts were kept cannot be read again" in reread.note
    assert query(warehouse, "select send_id, sent_at from raw.sends order by 1") == [
        ("s1", utc(2026, 3, 1, 9, 0)),  # kept as read in Rome
        ("s2", utc(2026, 3, 1, 15, 0)),
    ]
