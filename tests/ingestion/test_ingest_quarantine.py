"""Row and whole-file quarantine: exact lines and reasons, and reconciliation of every file."""

from __future__ import annotations

from pathlib import Path

from ingestion_helpers import SENDS_HEADER, TZ, query, send_line, write

from orchestration.ingestion import ingest_kind


def _quarantine(warehouse: Path) -> list[tuple[object, ...]]:
    return query(warehouse, "select line_number, reason, raw_record from raw.quarantine order by line_number")


def test_sends_row_reasons_with_exact_lines(landing: Path, warehouse: Path) -> None:
    write(
        landing,
        "sends/a.csv",
        f"{SENDS_HEADER},note\n"
        f'{send_line("s1", "2026-03-01 10:00")},"quoted\nnewline"\n'  # lines 2-3, loaded
        f"{send_line('', '2026-03-01 10:00')},x\n"  # line 4
        f"{send_line('s3', '')},x\n"  # line 5
        f"{send_line('s4', '31/02/2026 10:00')},x\n"  # line 6
        "s5,c1,email\n"  # line 7: too few fields
        f"{send_line('s6', '2026-03-01 10:00')},x,surplus\n"  # line 8: too many fields
        f"{send_line('   ', 'garbage')},x\n"  # line 9: blank id wins over bad time
        f"{send_line('s8', '2026-03-01 10:00')},x\n",  # line 10, loaded
    )

    [load] = ingest_kind(landing, warehouse, "sends", TZ)

    assert (load.rows_read, load.rows_loaded, load.rows_quarantined) == (8, 2, 6)
    assert load.status == "loaded_with_quarantine"
    assert query(warehouse, "select send_id, _source_line from raw.sends order by 2") == [
        ("s1", 2),
        ("s8", 10),
    ]
    got = _quarantine(warehouse)
    assert [(line, reason) for line, reason, _ in got] == [
        (4, "missing send_id"),
        (5, "missing sent_at"),
        (6, "unparseable sent_at: '31/02/2026 10:00'"),
        (7, "malformed CSV record: Expected Number of Columns: 10 Found: 3"),
        (8, "malformed CSV record: Expected Number of Columns: 10 Found: 11"),
        (9, "missing send_id"),
    ]
    assert got[0][2] == ",c1,email,a@example.it,audio,soft_spam,2026-03-01 10:00,true,esp,x"
    assert got[3][2] == "s5,c1,email"


def test_id_and_time_reasons_of_every_canonical_kind(landing: Path, warehouse: Path) -> None:
    write(
        landing,
        "sales/s.csv",
        "order_id,line_id,email,product_category,ordered_at,source_system\n"
        "o1,,a@x.it,audio,2026-03-01 10:00,pos\n"
        ",1,a@x.it,audio,2026-03-01 10:00,pos\n"
        "o3,1,a@x.it,audio,01/13/2026 10:00,pos\n",
    )
    write(
        landing,
        "oppositions/o.csv",
        "opposition_id,email,scope,opposed_at,recorded_at,source_system\n"
        "p1,a@x.it,soft_spam,2026-03-01 10:00,not a time,crm\n"
        ",a@x.it,soft_spam,2026-03-01 10:00,,crm\n"
        "p3,a@x.it,soft_spam,,,crm\n",
    )
    write(
        landing,
        "consents/c.csv",
        "consent_id,email,channel,status,event_at,source_system\n"
        ",a@x.it,email,granted,2026-03-01 10:00,web\n"
        "k2,a@x.it,email,granted,soon,web\n",
    )
    write(
        landing,
        "suppressions/crm/snap.csv",
        "email,suppressed_since\na@x.it,never\n ,2026-03-01\n",
    )

    for kind in ("sales", "oppositions", "consents", "suppressions"):
        ingest_kind(landing, warehouse, kind, TZ)

    got = query(warehouse, "select file_name, line_number, reason from raw.quarantine order by 1, 2")
    assert got == [
        ("consents/c.csv", 2, "missing consent_id"),
        ("consents/c.csv", 3, "unparseable event_at: 'soon'"),
        ("oppositions/o.csv", 3, "missing opposition_id"),
        ("oppositions/o.csv", 4, "missing opposed_at"),
        ("sales/s.csv", 2, "missing line_id"),
        ("sales/s.csv", 3, "missing order_id"),
        ("sales/s.csv", 4, "unparseable ordered_at: '01/13/2026 10:00'"),
        ("suppressions/crm/snap.csv", 3, "missing email"),
    ]
    # an unreadable optional time does not quarantine the row
    assert query(warehouse, "select opposition_id, recorded_at from raw.oppositions") == [("p1", None)]
    assert query(warehouse, "select email, suppressed_since from raw.suppressions") == [("a@x.it", None)]


def test_unknown_header_quarantines_the_whole_file(landing: Path, warehouse: Path) -> None:
    write(landing, "sends/wrong.csv", "id,recipient,when\n1,a@x.it,2026-03-01\n2,b@x.it,2026-03-02\n")

    [load] = ingest_kind(landing, warehouse, "sends", TZ)

    assert (load.status, load.format, load.rows_read, load.rows_loaded, load.rows_quarantined) == (
        "quarantined",
        None,
        2,
        0,
        2,
    )
    assert load.message == (
        "sends file sends/wrong.csv: header matches no known format; expected canonical sends columns "
        "send_id, campaign_id, channel, email, promoted_category, legal_basis, sent_at, has_opt_out_link, "
        "source_system (missing: send_id, campaign_id, channel, email, promoted_category, legal_basis, "
        "sent_at, has_opt_out_link, source_system)"
    )
    assert query(warehouse, "select line_number, reason from raw.quarantine") == [(None, load.message)]
    assert query(warehouse, "select count(*) from raw.sends") == [(0,)]


def test_unknown_header_message_names_real_world_formats_of_the_kind(landing: Path, warehouse: Path) -> None:
    write(landing, "oppositions/x.csv", "Email Address,First Name\na@x.it,Anna\n")

    [load] = ingest_kind(landing, warehouse, "oppositions", TZ)

    assert load.message is not None
    assert "(missing: opposition_id, email, scope, opposed_at, source_system)" in load.message
    assert load.message.endswith("or a mailchimp export with columns Email Address, UNSUB_TIME")


def test_reconciliation_holds_for_every_ledger_row(landing: Path, warehouse: Path) -> None:
    write(
        landing, "sends/1.csv", f"{SENDS_HEADER}\n{send_line('s1', 'bad')}\n{send_line('s2', '2026-03-01')}\n"
    )
    write(landing, "sends/2.csv", "nonsense\n1\n2\n3\n")
    write(landing, "sends/3.csv", f"{SENDS_HEADER}\ns1,c1\n")

    loads = ingest_kind(landing, warehouse, "sends", TZ)

    assert [(x.rows_read, x.rows_loaded, x.rows_quarantined) for x in loads] == [
        (2, 1, 1),
        (3, 0, 3),
        (1, 0, 1),
    ]
    mismatched = query(
        warehouse,
        """select l.file_name from raw.load_ledger l
           where l.rows_read <> l.rows_loaded + l.rows_quarantined
              or l.rows_loaded <> (select count(*) from raw.sends s where s._load_id = l.load_id)
              or (l.status <> 'quarantined' and l.rows_quarantined
                  <> (select count(*) from raw.quarantine q where q.load_id = l.load_id))""",
    )
    assert mismatched == []
