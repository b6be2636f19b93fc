"""Real exports end to end (issue "Real exports: Shopify orders and Mailchimp unsubscribed lists").

Two landing folders go through the installed `softspam run`: one with a Shopify "Export orders"
CSV and Mailchimp "unsubscribed" exports (current and older layout, in oppositions/ and in
suppressions/<app>/), one with the equivalent canonical rows (docs/formats.md section 1). Both
hold the same sends/. The warehouse must say the same thing about both, and the right thing.

The unknown-SKU lines are in both folders: the canonical twin of such a line has an empty
product_category. Only marts.data_quality_findings and the ledger differ by construction.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
import real_exports as rx

pytestmark = pytest.mark.slow

SOFTSPAM = shutil.which("softspam", path=str(Path(sys.executable).parent)) or "softspam"
AS_OF = "2026-11-01T00:00:00Z"


def key(email: str) -> str:
    return hashlib.sha256(email.encode("utf-8")).hexdigest()


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Both folders run at once (one each on the two cores); name -> warehouse file."""
    root = tmp_path_factory.mktemp("real_exports")
    writers = {"real": rx.write_real_landing, "canonical": rx.write_canonical_landing}
    runs, paths = {}, {}
    for name, write in writers.items():
        landing, paths[name] = root / name / "landing", root / name / "wh" / "softspam.duckdb"
        write(landing)
        runs[name] = subprocess.Popen(
            [
                SOFTSPAM, "run",
                "--landing", str(landing),
                "--warehouse", str(paths[name]),
                "--output", str(root / name / "out"),
                "--as-of", AS_OF,
            ],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
    for name, process in runs.items():
        _, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, f"{name}: {stderr}"
    return paths


def query(warehouse: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        connection.execute("set TimeZone = 'UTC'")
        return connection.execute(sql).fetchall()


def both(warehouses: dict[str, Path], sql: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The same query on the real-export warehouse and on the canonical one, rows sorted."""
    return query(warehouses["real"], sql + " order by all"), query(
        warehouses["canonical"], sql + " order by all"
    )


ANNA, BRUNO, DARIO, ELENA = key(rx.ANNA), key(rx.BRUNO), key(rx.DARIO), key(rx.ELENA)
FRANCO, GINA, IVO = key(rx.FRANCO), key(rx.GINA), key(rx.IVO)

# ------------------------------------------------------------------------ ingestion of the exports


def test_each_real_export_is_recognised_and_reconciles(warehouses: dict[str, Path]) -> None:
    rows = query(
        warehouses["real"],
        """select file_name, kind, format, rows_read, rows_loaded, rows_quarantined, status
           from marts.load_audit order by file_name""",
    )
    assert rows == [
        (rx.MC_CURRENT_FILE, "oppositions", "mailchimp", 2, 2, 0, "loaded"),
        (rx.MC_OLDER_FILE, "oppositions", "mailchimp", 2, 1, 1, "loaded_with_quarantine"),
        (rx.SHOPIFY_FILE, "sales", "shopify", 9, 9, 0, "loaded"),
        ("sends/sends.csv", "sends", "canonical", 19, 19, 0, "loaded"),
        (rx.CRM_SNAPSHOT_FILE, "suppressions", "mailchimp", 2, 2, 0, "loaded"),
        (rx.MC_SNAPSHOT_FILE, "suppressions", "mailchimp", 3, 3, 0, "loaded"),
    ]


def test_the_mailchimp_row_without_unsub_time_is_quarantined_at_its_line(warehouses: dict[str, Path]) -> None:
    # the row before it holds a two-line NOTES field: the record starts on physical line 4
    rows = query(warehouses["real"], "select file_name, kind, line_number, reason from raw.quarantine")
    assert rows == [(rx.MC_OLDER_FILE, "oppositions", 4, "missing UNSUB_TIME")]


def test_order_fields_are_carried_to_every_line_of_a_shopify_order(warehouses: dict[str, Path]) -> None:
    rows = query(
        warehouses["real"],
        """select line_number, _source_line, email, financial_status, accepts_marketing, total, created_at,
                  lineitem_sku
           from raw.shopify_order_lines where order_name = '#1001' order by line_number""",
    )
    at = utc(2026, 2, 3, 9, 0)
    assert rows == [
        (1, 8, " Anna.Rossi@Example.IT", "paid", "yes", "1028.00", at, "SMA-001"),
        (2, 10, " Anna.Rossi@Example.IT", "paid", "yes", "1028.00", at, "AUD-002"),
        (3, 11, " Anna.Rossi@Example.IT", "paid", "yes", "1028.00", at, "ACC-900"),
    ]


# ------------------------------------------------------------------------ same facts as canonical

AUTHORIZATIONS = """select person_key, order_id, line_id, product_category, authorized_at,
       privacy_notice_version, is_informed, is_refused_at_collection, source_system
from marts.soft_spam_authorizations"""


def test_authorizations_equal_the_canonical_twin(warehouses: dict[str, Path]) -> None:
    real, canonical = both(warehouses, AUTHORIZATIONS)
    assert real == canonical


def test_authorizations_are_the_paid_uncancelled_lines(warehouses: dict[str, Path]) -> None:
    # not #1002 (cancelled), #1003 (pending), #1004 (Total 0); #1005 (refunded) is a sale
    real = query(warehouses["real"], AUTHORIZATIONS + " order by authorized_at, line_id")
    informed = ("v2025", True, False, "shopify")
    assert real == [
        (ANNA, "5820000001", "1", "smartphones", utc(2026, 2, 3, 9, 0), *informed),
        (ANNA, "5820000001", "2", "audio", utc(2026, 2, 3, 9, 0), *informed),
        (ANNA, "5820000001", "3", None, utc(2026, 2, 3, 9, 0), *informed),
        (ELENA, "5820000005", "1", "fashion", utc(2026, 3, 20, 10, 0), *informed),
        (FRANCO, "5820000006", "1", "footwear", utc(2026, 4, 10, 7, 15), *informed),
        (IVO, "5820000007", "1", None, utc(2026, 4, 12, 14, 0), *informed),
    ]


CONSENT_EVENTS = """select person_key, event_at, event_type from marts.person_timeline
where event_type like 'consent%'"""


def test_accepts_marketing_yes_is_one_email_consent_grant_per_order(warehouses: dict[str, Path]) -> None:
    real, canonical = both(warehouses, CONSENT_EVENTS)
    assert real == canonical
    # the three-line order grants once; the cancelled and the free order grant too
    assert real == [
        (ANNA, utc(2026, 2, 3, 9, 0), "consent_granted"),
        (BRUNO, utc(2026, 2, 10, 14, 30), "consent_granted"),
        (DARIO, utc(2026, 3, 2, 17, 45), "consent_granted"),
    ]


def test_mailchimp_unsubscribes_are_email_marketing_oppositions_at_utc_time(
    warehouses: dict[str, Path],
) -> None:
    real, canonical = both(
        warehouses, "select person_key, scope, first_opposed_at, sources from marts.suppression_list"
    )
    assert real == canonical
    assert real == [
        (ANNA, "email_marketing", utc(2026, 7, 1, 12, 0), "mailchimp"),
        (GINA, "email_marketing", utc(2026, 5, 15, 7, 0), "mailchimp"),
        (FRANCO, "email_marketing", utc(2026, 6, 1, 8, 30), "mailchimp"),
    ]
    # id from LEID, else EUID (Gina's older-layout row has no LEID)
    real, canonical = both(
        warehouses,
        "select person_key, event_at, source_system, source_ref from marts.person_timeline "
        "where event_type = 'opposition'",
    )
    assert real == canonical
    assert sorted(ref for *_, ref in real) == [
        rx.FRANCO_UNSUBSCRIBE,
        rx.ANNA_UNSUBSCRIBE,
        rx.GINA_UNSUBSCRIBE,
    ]


VIOLATIONS = "select send_id, source_system, rule_code, evidence_ref, evidence from marts.violations"


def test_violations_equal_the_canonical_twin(warehouses: dict[str, Path]) -> None:
    real, canonical = both(warehouses, VIOLATIONS)
    assert real == canonical


def test_violations_are_exactly_the_expected_ones(warehouses: dict[str, Path]) -> None:
    real = {row[:4] for row in query(warehouses["real"], VIOLATIONS)}
    assert real == {
        ("s02", "mailchimp", "NOT_ANALOGOUS", "shopify:5820000001:1"),  # kitchen: not analogous to her lines
        ("s04", "mailchimp", "NO_SALE_RELATIONSHIP", None),  # cancelled order
        ("s06", "mailchimp", "NO_SALE_RELATIONSHIP", None),  # pending order
        ("s07", "mailchimp", "CONSENT_MISSING", None),  # Accepts Marketing no
        ("s08", "mailchimp", "NO_SALE_RELATIONSHIP", None),  # free order
        (
            "s13",
            "mailchimp",
            "SENT_AFTER_OPPOSITION",
            rx.FRANCO_UNSUBSCRIBE,
        ),  # 30 minutes after the unsubscribe
        (
            "s15",
            "mailchimp",
            "SENT_AFTER_OPPOSITION",
            rx.ANNA_UNSUBSCRIBE,
        ),  # an earlier consent does not lift it
        ("s16", "mailchimp", "CONSENT_MISSING", None),
        ("s16", "mailchimp", "SENT_AFTER_OPPOSITION", rx.GINA_UNSUBSCRIBE),
        ("s17", "mailchimp", "NOT_ANALOGOUS", "shopify:5820000007:1"),  # unknown SKU: a sale of no category
        ("s18", "mailchimp", "NO_SALE_RELATIONSHIP", None),  # a minute before the order
    }
    # s12, an hour before Franco's 08:30 UTC unsubscribe (10:30 in Rome), is compliant; so is s19,
    # half an hour after Anna's order at 10:00 +0100
    compliant = query(
        warehouses["real"], "select send_id from marts.sends_checked where is_compliant order by 1"
    )
    assert [row[0] for row in compliant] == [
        "s01", "s03", "s05", "s09", "s10", "s11", "s12", "s14", "s19",
    ]  # fmt: skip


def test_sends_checked_equal_the_canonical_twin(warehouses: dict[str, Path]) -> None:
    real, canonical = both(
        warehouses,
        "select send_id, source_system, person_key, is_compliant, violation_count from marts.sends_checked",
    )
    assert real == canonical
    assert len(real) == 19


GAPS = (
    "select application, person_key, opposition_id, opposed_at, snapshot_taken_at, hours_overdue "
    "from marts.alignment_gaps"
)


def test_alignment_gaps_equal_the_canonical_twin(warehouses: dict[str, Path]) -> None:
    real, canonical = both(warehouses, GAPS)
    assert real == canonical
    # snapshots dated 2026-10-01 by file name: midnight Europe/Rome; SLA mailchimp 48 h, crm 72 h
    snapshot = utc(2026, 9, 30, 22, 0)
    assert real == [
        ("crm", FRANCO, rx.FRANCO_UNSUBSCRIBE, utc(2026, 6, 1, 8, 30), snapshot, 2845.5),
        ("mailchimp", GINA, rx.GINA_UNSUBSCRIBE, utc(2026, 5, 15, 7, 0), snapshot, 3279.0),
    ]


def test_audience_eligibility_equals_the_canonical_twin(warehouses: dict[str, Path]) -> None:
    real, canonical = both(
        warehouses,
        "select person_key, product_category, channel, is_eligible, legal_basis, blocking_reason "
        "from marts.audience_eligibility",
    )
    assert real == canonical
    # snapshot-only (Hugo) and quarantined (Luca) addresses are not known persons
    persons = {row[0] for row in real}
    assert persons == {
        key(email) for email in (rx.ANNA, rx.BRUNO, rx.CARLA, rx.DARIO, rx.ELENA, rx.FRANCO, rx.GINA, rx.IVO)
    }


# ------------------------------------------------------------------------ the unknown SKU


def test_an_unknown_sku_is_a_finding_and_qualifies_for_no_category(warehouses: dict[str, Path]) -> None:
    findings = query(
        warehouses["real"],
        "select finding_type, kind, source_system, record_ref, detail from marts.data_quality_findings "
        "order by record_ref",
    )
    assert findings == [
        (
            "unknown_sku",
            "sales",
            "shopify",
            "shopify:5820000001:3",
            "SKU 'ACC-900' is not in product_catalog; the line qualifies for no category",
        ),
        (
            "unknown_sku",
            "sales",
            "shopify",
            "shopify:5820000007:1",
            "SKU 'GFT-050' is not in product_catalog; the line qualifies for no category",
        ),
    ]
    # Ivo bought only the unknown SKU: no category is promotable to him by soft spam
    ivo = query(
        warehouses["real"],
        f"""select distinct blocking_reason, is_eligible from marts.audience_eligibility
            where person_key = '{IVO}' and channel = 'email'""",  # noqa: S608
    )
    assert ivo == [("NOT_ANALOGOUS", False)]
