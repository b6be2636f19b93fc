"""What a freshly landed batch must look like, per raw table (docs/formats.md section 1).

Severities (GX's own ``severity`` field, mapped to Dagster check severities by the caller):
- ``critical`` (Dagster ERROR): structure. Required columns, ids and event times present, keys
  unique within a file, a non-empty file landed some rows. These mean ingestion or the export is
  broken and the marts cannot be trusted.
- ``warning`` (Dagster WARN): values. E-mail format, accepted values, plausible times. The rules
  judge such rows (an unknown basis is ``NO_LEGAL_BASIS``, a bad address matches nobody), so the
  run is still valid, but someone should look at the source application.

Keys are unique within one file, not within the whole batch: docs/formats.md says exports overlap
(the same record in two files is legitimate and deduplicated downstream), a duplicate inside one
export is not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from orchestration.ingestion.raw_schema import LANDED_TABLES
from orchestration.vocabulary import terms

BOOLEAN_TEXTS = ("true", "false", "yes", "no", "1", "0", "si", "sì")
EARLIEST_PLAUSIBLE = "2000-01-01T00:00:00+00:00"
FUTURE_TOLERANCE_DAYS = 1
EMAIL_FORMAT = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
EMAIL_FORMAT_MOSTLY = 0.95


@dataclass(frozen=True)
class TableSuite:
    """Expectations for one raw table (optionally one slice of it, see ``row_filter``)."""

    table: str
    required_columns: tuple[str, ...]
    not_null: tuple[str, ...]
    times: tuple[str, ...]
    email_column: str | None
    accepted_values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unique_key: tuple[str, ...] = ()  # unique together with _load_id (= within a file)
    row_filter: str | None = None  # SQL predicate selecting this kind's rows of a shared table

    @property
    def name(self) -> str:
        return self.table if self.row_filter is None else f"{self.table}[{self.row_filter}]"


SALES = TableSuite(
    table="sales",
    required_columns=(
        "order_id",
        "line_id",
        "email",
        "product_category",
        "ordered_at",
        "source_system",
    ),
    not_null=("order_id", "line_id", "ordered_at"),
    times=("ordered_at",),
    email_column="email",
    accepted_values={
        "status": ("completed", "cancelled", "refunded"),
        "is_paid": BOOLEAN_TEXTS,
        "soft_spam_opt_out": BOOLEAN_TEXTS,
    },
    unique_key=("source_system", "order_id", "line_id"),
)
SHOPIFY_ORDER_LINES = TableSuite(
    table="shopify_order_lines",
    required_columns=("order_name", "line_number", "email", "financial_status", "created_at", "lineitem_sku"),
    not_null=("order_name", "line_number", "created_at"),
    times=("created_at", "cancelled_at"),
    email_column="email",
    accepted_values={
        "financial_status": (
            "pending",
            "authorized",
            "paid",
            "partially_paid",
            "refunded",
            "partially_refunded",
            "voided",
            "expired",
        ),
        "accepts_marketing": BOOLEAN_TEXTS,
    },
    unique_key=("order_name", "line_number"),
)
SENDS = TableSuite(
    table="sends",
    required_columns=(
        "send_id",
        "campaign_id",
        "channel",
        "email",
        "promoted_category",
        "legal_basis",
        "sent_at",
        "has_opt_out_link",
        "source_system",
    ),
    not_null=("send_id", "sent_at"),
    times=("sent_at",),
    email_column="email",
    accepted_values={
        "channel": terms("send_channels"),
        "legal_basis": terms("legal_bases"),
        "has_opt_out_link": BOOLEAN_TEXTS,
    },
    unique_key=("source_system", "send_id"),
)
OPPOSITIONS = TableSuite(
    table="oppositions",
    required_columns=("opposition_id", "email", "scope", "opposed_at", "source_system"),
    not_null=("opposition_id", "opposed_at"),
    times=("opposed_at", "recorded_at"),
    email_column="email",
    accepted_values={"scope": terms("scopes")},
    unique_key=("source_system", "opposition_id"),
)
CONSENTS = TableSuite(
    table="consents",
    required_columns=("consent_id", "email", "channel", "status", "event_at", "source_system"),
    not_null=("consent_id", "event_at"),
    times=("event_at",),
    email_column="email",
    accepted_values={
        "channel": terms("consent_channels"),
        "status": terms("consent_statuses"),
    },
    unique_key=("source_system", "consent_id"),
)
SUPPRESSIONS = TableSuite(
    table="suppressions",
    required_columns=("application", "email"),
    not_null=("application",),
    times=("suppressed_since",),
    email_column="email",
)


def _mailchimp(kind: str) -> TableSuite:
    return TableSuite(
        table="mailchimp_unsubscribes",
        required_columns=("email_address", "unsub_time"),
        not_null=("unsub_time",),
        times=("unsub_time",),
        email_column="email_address",
        row_filter=f"landing_kind = '{kind}'",
    )


# Landing kind -> (format recorded in the ledger -> suite of the raw table that format lands in).
SUITES_BY_KIND: dict[str, dict[str, TableSuite]] = {
    "sales": {"canonical": SALES, "shopify": SHOPIFY_ORDER_LINES},
    "sends": {"canonical": SENDS},
    "oppositions": {"canonical": OPPOSITIONS, "mailchimp": _mailchimp("oppositions")},
    "consents": {"canonical": CONSENTS},
    "suppressions": {"canonical": SUPPRESSIONS, "mailchimp": _mailchimp("suppressions")},
}


def _check_suites_match_raw_schema() -> None:
    """Fail at import, not at 3 a.m., when the raw schema and the suites drift apart."""
    for by_format in SUITES_BY_KIND.values():
        for suite in by_format.values():
            columns = {name for name, _ in LANDED_TABLES[suite.table]}
            named = set(suite.required_columns) | set(suite.not_null) | set(suite.times)
            named |= set(suite.accepted_values) | set(suite.unique_key)
            missing = named - columns
            if missing:
                raise RuntimeError(f"GX suite {suite.name} names columns not in raw.{suite.table}: {missing}")


_check_suites_match_raw_schema()
