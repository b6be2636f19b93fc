"""A small company built once per module through the in-process pipeline, published, and the
service's compiled eligibility SQL (compiling costs a dbt start: once per session)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from identity.harness import Company

from orchestration.publish import latest_published, publish
from orchestration.reports.audience import compile_eligibility_sql_at
from orchestration.serve.engine import EVALUATED_AT_SQL

# The build judges 30 days ago; a sale 24 months and 10 days before now is
# authorized then and expired now (the default window is 24 months): the service must judge now.
NOW = datetime.now(UTC)
EXPIRING_SALE_AT = (NOW - timedelta(days=730 + 10)).strftime("%Y-%m-%d %H:%M:%S+00")
BUYER, OBJECTOR, FAN, NOSALE, EXPIRING, SMS_FAN = (
    "buyer@example.it",
    "objector@example.it",
    "fan@example.it",
    "nosale@example.it",
    "expiring@example.it",
    "smsfan@example.it",
)
KNOWN = (BUYER, OBJECTOR, FAN, NOSALE, EXPIRING, SMS_FAN)


def _sale(order_id: str, email: str, category: str, at: str, paid: str = "true") -> dict[str, str]:
    return {"order_id": order_id, "line_id": "1", "email": email, "product_category": category,
            "ordered_at": at, "source_system": "ecommerce", "is_paid": paid, "status": "completed",
            "soft_spam_opt_out": "no"}  # fmt: skip


def _grant(consent_id: str, email: str, channel: str) -> dict[str, str]:
    return {"consent_id": consent_id, "email": email, "channel": channel, "status": "granted",
            "event_at": "2026-01-01 08:00:00+00", "source_system": "preference_center"}  # fmt: skip


def build_company(root: Path) -> Company:
    company = Company(root)
    company.land_canonical("sales", "orders.csv", [
        _sale("O-1", BUYER, "smartphones", "2026-06-01 10:00:00+00"),
        _sale("O-2", OBJECTOR, "audio", "2026-06-01 10:00:00+00"),
        _sale("O-3", NOSALE, "audio", "2026-06-01 10:00:00+00", paid="false"),
        _sale("O-4", EXPIRING, "audio", EXPIRING_SALE_AT),
    ])  # fmt: skip
    company.land_canonical("oppositions", "crm.csv", [
        {"opposition_id": "OPP-1", "email": OBJECTOR, "scope": "email_marketing",
         "opposed_at": "2026-09-01 08:00:00+00", "source_system": "crm"},
    ])  # fmt: skip
    company.land_canonical("consents", "pc.csv", [_grant("C-1", FAN, "email"), _grant("C-2", SMS_FAN, "sms")])
    company.run(as_of=(NOW - timedelta(days=30)).isoformat())
    publish(company.warehouse)
    return company


@pytest.fixture(scope="session")
def eligibility_sql(tmp_path_factory: pytest.TempPathFactory) -> str:
    return compile_eligibility_sql_at(tmp_path_factory.mktemp("sql") / "softspam.duckdb", EVALUATED_AT_SQL)


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Company:
    company = build_company(tmp_path_factory.mktemp("company"))
    latest_published(company.warehouse)
    return company
