"""The `raw` schema: what ingestion writes and what dbt sources read.

This module is the contract between the two. Business columns keep the source text (VARCHAR),
untouched but for the parsed event times, which ingestion turns into UTC instants because an
unreadable time quarantines the row. Staging models normalise everything else.

Every landed table also has the lineage columns of ``LINEAGE_COLUMNS``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.warehouse import connect

TIME_TEXT_SUFFIX = "_text"  # <time column>_text: the landed text the instant was read from

LINEAGE_COLUMNS: list[tuple[str, str]] = [
    ("_load_id", "BIGINT NOT NULL"),  # raw.load_ledger.load_id; higher = loaded later
    ("_source_file", "VARCHAR NOT NULL"),  # path relative to the landing folder
    ("_source_line", "BIGINT NOT NULL"),  # physical line where the record starts (header = 1)
    ("_extra_columns", "VARCHAR"),  # JSON object of columns the format does not use
]

# Landed tables: name -> business columns (name, type).
LANDED_TABLES: dict[str, list[tuple[str, str]]] = {
    # canonical sales/ files
    "sales": [
        ("order_id", "VARCHAR"),
        ("line_id", "VARCHAR"),
        ("email", "VARCHAR"),
        ("product_category", "VARCHAR"),
        ("ordered_at", "TIMESTAMPTZ"),
        ("ordered_at_text", "VARCHAR"),  # the text read; re-read when the zone changes
        ("is_paid", "VARCHAR"),
        ("status", "VARCHAR"),
        ("privacy_notice_version", "VARCHAR"),
        ("soft_spam_opt_out", "VARCHAR"),
        ("controller", "VARCHAR"),
        ("customer_id", "VARCHAR"),
        ("product_sku", "VARCHAR"),
        ("amount", "VARCHAR"),
        ("source_system", "VARCHAR"),
    ],
    # Shopify "Export orders" files in sales/: one row per line item, order-level fields
    # already carried from the order's first row to its other rows by ingestion.
    "shopify_order_lines": [
        ("order_name", "VARCHAR"),  # "Name", e.g. #1001
        ("line_number", "BIGINT"),  # 1-based position of the line item within the order
        ("order_id", "VARCHAR"),  # "Id" when exported
        ("email", "VARCHAR"),
        ("financial_status", "VARCHAR"),
        ("accepts_marketing", "VARCHAR"),
        ("total", "VARCHAR"),
        ("created_at", "TIMESTAMPTZ"),
        ("created_at_text", "VARCHAR"),  # the text read; re-read when the zone changes
        ("cancelled_at", "TIMESTAMPTZ"),
        ("cancelled_at_text", "VARCHAR"),  # the text read; re-read when the zone changes
        ("lineitem_quantity", "VARCHAR"),
        ("lineitem_name", "VARCHAR"),
        ("lineitem_price", "VARCHAR"),
        ("lineitem_sku", "VARCHAR"),
    ],
    "sends": [
        ("send_id", "VARCHAR"),
        ("campaign_id", "VARCHAR"),
        ("channel", "VARCHAR"),
        ("email", "VARCHAR"),
        ("promoted_category", "VARCHAR"),
        ("legal_basis", "VARCHAR"),
        ("sent_at", "TIMESTAMPTZ"),
        ("sent_at_text", "VARCHAR"),  # the text read; re-read when the zone changes
        ("has_opt_out_link", "VARCHAR"),
        ("controller", "VARCHAR"),
        ("source_system", "VARCHAR"),
    ],
    "oppositions": [
        ("opposition_id", "VARCHAR"),
        ("email", "VARCHAR"),
        ("scope", "VARCHAR"),
        ("opposed_at", "TIMESTAMPTZ"),
        ("opposed_at_text", "VARCHAR"),  # the text read; re-read when the zone changes
        ("recorded_at", "TIMESTAMPTZ"),  # optional: unreadable -> NULL, row kept
        ("recorded_at_text", "VARCHAR"),  # the text read; re-read when the zone changes
        ("request_channel", "VARCHAR"),
        ("source_system", "VARCHAR"),
    ],
    "consents": [
        ("consent_id", "VARCHAR"),
        ("email", "VARCHAR"),
        ("channel", "VARCHAR"),
        ("status", "VARCHAR"),
        ("event_at", "TIMESTAMPTZ"),
        ("event_at_text", "VARCHAR"),  # the text read; re-read when the zone changes
        ("evidence_ref", "VARCHAR"),
        ("source_system", "VARCHAR"),
    ],
    # Mailchimp "unsubscribed" audience exports, from oppositions/ or suppressions/<app>/.
    "mailchimp_unsubscribes": [
        ("landing_kind", "VARCHAR"),  # 'oppositions' or 'suppressions'
        ("application", "VARCHAR"),  # the suppressions/<app>/ folder; NULL for oppositions
        ("email_address", "VARCHAR"),
        ("unsub_time", "TIMESTAMPTZ"),  # Mailchimp times are UTC
        ("unsub_time_text", "VARCHAR"),  # the text read; re-read when the zone changes
        ("unsub_campaign_title", "VARCHAR"),
        ("unsub_campaign_id", "VARCHAR"),
        ("unsub_reason", "VARCHAR"),
        ("leid", "VARCHAR"),
        ("euid", "VARCHAR"),
    ],
    # canonical suppressions/<app>/ snapshot rows (Mailchimp snapshots go to
    # mailchimp_unsubscribes; every snapshot, of either format, has a row in suppression_snapshots)
    "suppressions": [
        ("application", "VARCHAR"),
        ("email", "VARCHAR"),
        ("suppressed_since", "TIMESTAMPTZ"),
        ("suppressed_since_text", "VARCHAR"),  # the text read; re-read when the zone changes
    ],
}

# Not row-level: one row per snapshot file, so that an empty snapshot still counts as the latest.
SUPPRESSION_SNAPSHOTS: list[tuple[str, str]] = [
    ("_load_id", "BIGINT NOT NULL"),
    ("_source_file", "VARCHAR NOT NULL"),
    ("application", "VARCHAR NOT NULL"),
    ("format", "VARCHAR NOT NULL"),  # 'canonical' or 'mailchimp'
    # from the snapshot_taken_at column (max), else the file name's date (midnight in the
    # configured time zone), else the file's modification time
    ("snapshot_taken_at", "TIMESTAMPTZ NOT NULL"),
    # what it was read from: the column's text or the file name's date (re-read when the zone
    # changes); NULL for a modification time, an instant
    ("snapshot_taken_at_text", "VARCHAR"),
]

# The time zone local times were read with, one row per change (the latest applies).
READING_SETTINGS: list[tuple[str, str]] = [
    ("timezone", "VARCHAR NOT NULL"),
    ("recorded_at", "TIMESTAMPTZ NOT NULL"),
    ("note", "VARCHAR"),  # what re-reading did, and what it could not re-read
]

# Landed local times that a clock change of that zone repeats ('ambiguous') or skips
# ('nonexistent'): data-quality findings, recomputed when the zone changes.
CLOCK_CHANGE_READINGS: list[tuple[str, str]] = [
    ("table_name", "VARCHAR NOT NULL"),
    ("column_name", "VARCHAR NOT NULL"),
    ("landing_kind", "VARCHAR NOT NULL"),
    ("source_system", "VARCHAR"),
    ("record_ref", "VARCHAR"),
    ("time_text", "VARCHAR NOT NULL"),
    ("read_as", "TIMESTAMPTZ NOT NULL"),
    ("reading", "VARCHAR NOT NULL"),  # 'ambiguous' (read as the first occurrence) or 'nonexistent'
    ("timezone", "VARCHAR NOT NULL"),
    ("_load_id", "BIGINT NOT NULL"),
    ("_source_file", "VARCHAR NOT NULL"),
    ("_source_line", "BIGINT"),
]

LOAD_LEDGER: list[tuple[str, str]] = [
    ("load_id", "BIGINT PRIMARY KEY"),
    ("file_name", "VARCHAR NOT NULL"),  # path relative to the landing folder
    ("kind", "VARCHAR NOT NULL"),  # sales, sends, oppositions, consents, suppressions, reference
    # kind, suppressions/<app> or the reference file: the same bytes are ingested once per place
    ("landing_place", "VARCHAR"),
    ("format", "VARCHAR"),  # canonical, shopify, mailchimp; NULL when unrecognised
    ("content_sha256", "VARCHAR NOT NULL"),
    ("rows_read", "BIGINT NOT NULL"),
    ("rows_loaded", "BIGINT NOT NULL"),
    ("rows_quarantined", "BIGINT NOT NULL"),
    ("loaded_at", "TIMESTAMPTZ NOT NULL"),
    ("status", "VARCHAR NOT NULL"),  # 'loaded', 'loaded_with_quarantine', 'quarantined'
    ("message", "VARCHAR"),  # why a whole file was quarantined
    ("repeated_columns", "VARCHAR"),  # columns named twice that no verdict reads: the first is read
]

QUARANTINE: list[tuple[str, str]] = [
    ("load_id", "BIGINT NOT NULL"),
    ("file_name", "VARCHAR NOT NULL"),
    ("kind", "VARCHAR NOT NULL"),
    ("line_number", "BIGINT"),  # NULL for a whole-file quarantine
    ("reason", "VARCHAR NOT NULL"),
    ("raw_record", "VARCHAR"),  # the record's text as read
    ("quarantined_at", "TIMESTAMPTZ NOT NULL"),
]

# Reference overrides: landing/reference/<seed>.csv, replaced on every run with what the
# run sees (an override removed from the folder stops applying). All columns VARCHAR.
REFERENCE_OVERRIDES: dict[str, list[str]] = {
    "product_categories": ["category", "description"],
    "category_analogies": ["category", "analogous_category"],
    "product_catalog": ["sku", "product_category"],
    "privacy_notices": ["version", "effective_from", "has_soft_spam_clause"],
    "applications": ["application", "channel", "sends_marketing", "sla_hours"],
    "compliance_rules": ["rule_code", "severity", "legal_reference", "description"],
}


def create_raw_schema_sql() -> list[str]:
    """DDL that makes every raw table exist (idempotent), so dbt sources always resolve."""

    def cols(spec: list[tuple[str, str]]) -> str:
        return ", ".join(f'"{name}" {type_}' for name, type_ in spec)

    statements = ["create schema if not exists raw"]
    for table, spec in LANDED_TABLES.items():
        statements.append(f"create table if not exists raw.{table} ({cols(spec + LINEAGE_COLUMNS)})")
    statements.append(f"create table if not exists raw.suppression_snapshots ({cols(SUPPRESSION_SNAPSHOTS)})")
    # a warehouse made before the time texts were kept: its rows have none (cannot be re-read)
    for table, spec in [*LANDED_TABLES.items(), ("suppression_snapshots", SUPPRESSION_SNAPSHOTS)]:
        for name, _ in spec:
            if name.endswith(TIME_TEXT_SUFFIX):
                statements.append(f'alter table raw.{table} add column if not exists "{name}" VARCHAR')
    statements.append(f"create table if not exists raw.reading_settings ({cols(READING_SETTINGS)})")
    statements.append(f"create table if not exists raw.clock_change_readings ({cols(CLOCK_CHANGE_READINGS)})")
    statements.append(f"create table if not exists raw.load_ledger ({cols(LOAD_LEDGER)})")
    # a warehouse made before the place was recorded: its rows' places are derived when read
    for column in ("landing_place", "repeated_columns"):
        statements.append(f"alter table raw.load_ledger add column if not exists {column} VARCHAR")
    statements.append(f"create table if not exists raw.quarantine ({cols(QUARANTINE)})")
    for seed, columns in REFERENCE_OVERRIDES.items():
        spec = [(c, "VARCHAR") for c in columns]
        statements.append(f"create table if not exists raw.reference_{seed} ({cols(spec)})")
    return statements


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    for statement in create_raw_schema_sql():
        con.execute(statement)


def ensure_raw_schema(warehouse: Path) -> None:
    """Create every raw table (idempotent) so that dbt sources resolve even before any load."""
    con = connect(warehouse)
    try:
        create_schema(con)
    finally:
        con.close()
