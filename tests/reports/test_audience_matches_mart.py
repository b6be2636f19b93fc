"""check-audience judges exactly as marts.audience_eligibility does: same macro, same verdicts.

Builds a tiny warehouse with the real dbt models (raw rows inserted directly), then judges the
known persons plus an unknown address at the mart's evaluation time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.config import PROJECT_DIR, default_policy
from orchestration.ingestion.raw_schema import create_raw_schema_sql
from orchestration.reports.audience import Verdict, judge_audience, parse_audience

MACRO_FILE = PROJECT_DIR / "macros" / "audience_eligibility_query.sql"
AS_OF = datetime(2026, 3, 1, tzinfo=UTC)
LINEAGE = {"_load_id": 1, "_source_file": "test.csv", "_source_line": 2}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not MACRO_FILE.exists() or "audience_eligibility_query" not in MACRO_FILE.read_text(encoding="utf-8"),
        reason="the dbt macro audience_eligibility_query is not in the project yet",
    ),
]

SALES = [  # order_id, email, category, ordered_at, notice version, refused at checkout
    ("O-1", "buyer@example.it", "smartphones", "2025-06-01 10:00:00+00", "v2025", "false"),
    ("O-2", "objector@example.it", "audio", "2025-06-01 10:00:00+00", "v2025", "false"),
    ("O-3", "old@example.it", "audio", "2022-01-10 10:00:00+00", "v2021", "false"),
]
OPPOSITIONS = [("OPP-1", "objector@example.it", "email_marketing", "2025-09-01 08:00:00+00")]
CONSENTS = [("C-1", "fan@example.it", "email", "granted", "2025-01-01 08:00:00+00")]


def insert(connection: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, object]]) -> None:
    for row in rows:
        row = {**row, **LINEAGE}
        columns = ", ".join(row)
        placeholders = ", ".join("?" for _ in row)
        connection.execute(f"insert into raw.{table} ({columns}) values ({placeholders})", list(row.values()))  # noqa: S608


def build_warehouse(path: Path) -> None:
    connection = duckdb.connect(str(path))
    for statement in create_raw_schema_sql():
        connection.execute(statement)
    insert(connection, "sales", [
        {"order_id": order, "line_id": "1", "email": email, "product_category": category,
         "ordered_at": at, "is_paid": "true", "status": "completed", "privacy_notice_version": notice,
         "soft_spam_opt_out": refused, "source_system": "ecommerce"}
        for order, email, category, at, notice, refused in SALES
    ])  # fmt: skip
    insert(connection, "oppositions", [
        {"opposition_id": oid, "email": email, "scope": scope, "opposed_at": at, "source_system": "crm"}
        for oid, email, scope, at in OPPOSITIONS
    ])  # fmt: skip
    insert(connection, "consents", [
        {"consent_id": cid, "email": email, "channel": channel, "status": status, "event_at": at,
         "source_system": "preference_center"}
        for cid, email, channel, status, at in CONSENTS
    ])  # fmt: skip
    connection.close()
    dbt = str(Path(sys.executable).with_name("dbt"))
    variables = json.dumps({**default_policy(), "as_of": AS_OF.isoformat()})
    work = path.parent / "dbt"
    result = subprocess.run(
        [dbt, "build", "--quiet", "--exclude", "resource_type:test", "--project-dir", str(PROJECT_DIR),
         "--profiles-dir", str(PROJECT_DIR), "--target-path", str(work / "target"),
         "--log-path", str(work / "logs"), "--vars", variables],
        env={**os.environ, "SOFTSPAM_WAREHOUSE": str(path)}, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    if result.returncode != 0:
        pytest.fail(f"dbt build failed: {(result.stdout + result.stderr)[-3000:]}")


def test_verdicts_equal_the_mart_for_every_known_person(tmp_path: Path) -> None:
    warehouse = tmp_path / "softspam.duckdb"
    build_warehouse(warehouse)
    connection = duckdb.connect(str(warehouse), read_only=True)
    mart = connection.execute(
        "select email, is_eligible, legal_basis, blocking_reason from marts.audience_eligibility "
        "where product_category = 'audio' and channel = 'email' order by email"
    ).fetchall()
    connection.close()
    assert len(mart) == 4  # buyer, objector, old, fan

    addresses = [email for email, *_ in mart] + ["stranger@example.it"]
    verdicts = judge_audience(warehouse, parse_audience("\n".join(addresses)), "audio", "email", AS_OF)

    assert verdicts[:-1] == [Verdict(*row) for row in mart]
    assert verdicts[-1] == Verdict("stranger@example.it", False, None, "NO_SALE_RELATIONSHIP")
    by_email = {verdict.email: verdict for verdict in verdicts}
    assert by_email["buyer@example.it"] == Verdict("buyer@example.it", True, "soft_spam", None)
    assert by_email["objector@example.it"].blocking_reason == "OPPOSED"
    assert by_email["fan@example.it"] == Verdict("fan@example.it", True, "consent", None)
