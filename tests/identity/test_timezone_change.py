"""A change of the `timezone` policy between two runs re-reads every landed local time: the marts
then equal those of a fresh warehouse built under the new policy (docs/rules.md section 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .harness import Company, differences, rows

pytestmark = pytest.mark.slow

SENDS_HEADER = (
    "send_id,campaign_id,channel,email,promoted_category,legal_basis,sent_at,has_opt_out_link,source_system"
)
# Local times (no offset) whose verdicts depend on the zone: read in Rome the sale comes before
# the send at 12:00 UTC, read in New York (15:00 UTC) after it; the objection likewise.
FILES = {
    "sales/shop.csv": (
        "order_id,line_id,email,product_category,ordered_at,source_system\n"
        "O1,1,anna@example.com,audio,2026-03-01 10:00:00,ecommerce\n"
        "O2,1,bruno@example.com,audio,2026-03-01T08:00:00+00:00,ecommerce\n"
    ),
    "sales/orders_export.csv": (
        "Name,Email,Financial Status,Total,Created at,Lineitem sku,Cancelled at\n"
        "#1001,carla@example.com,paid,10,2026-03-01 09:00:00,AUD-001,\n"
        "#1002,dario@example.com,paid,10,2026-03-01 09:00:00,AUD-001,not a date\n"
    ),
    "sends/sends.csv": (
        f"{SENDS_HEADER}\n"
        "S1,C1,email,anna@example.com,audio,soft_spam,2026-03-01T12:00:00Z,true,esp\n"
        "S2,C1,email,bruno@example.com,audio,soft_spam,2026-03-01 12:30:00,true,esp\n"
        "S3,C1,email,carla@example.com,audio,soft_spam,2026-03-01T12:00:00Z,true,esp\n"
        "S4,C1,email,dario@example.com,audio,soft_spam,2026-03-01T12:00:00Z,true,esp\n"
        "S5,C1,email,anna@example.com,audio,soft_spam,2026-10-25 02:30:00,true,esp\n"
    ),
    "oppositions/crm.csv": (
        "opposition_id,email,scope,opposed_at,source_system\n"
        "P1,bruno@example.com,all_marketing,2026-03-01 13:00,crm\n"
    ),
}
VIOLATIONS = "select send_id, rule_code from marts.violations"
FINDINGS = "select distinct finding_type from marts.data_quality_findings"


def test_a_timezone_change_equals_a_fresh_build(tmp_path: Path) -> None:
    company = Company(tmp_path)
    for name, text in FILES.items():
        company.land_bytes(name, text.encode())
    company.run(policy={"timezone": "Europe/Rome"})
    in_rome = rows(company.warehouse, VIOLATIONS)
    # 2026-10-25 02:30 repeats in Rome (not in New York); the unreadable cancellation in both
    assert {("unreadable_cancelled_at",), ("ambiguous_local_time",)} <= set(rows(company.warehouse, FINDINGS))
    company.run(policy={"timezone": "America/New_York"})

    assert differences(company.warehouse, company.full_build(policy={"timezone": "America/New_York"})) == {}
    assert rows(company.warehouse, VIOLATIONS) != in_rome
    assert rows(company.warehouse, FINDINGS) == [("unreadable_cancelled_at",)]
