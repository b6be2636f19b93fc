"""File formats, recognised from the header row: canonical per kind, Shopify and Mailchimp.

A format says which raw table receives the rows and, per raw column, which header column feeds
it and how (text, required event time, optional time). Header names are compared trimmed and
case-insensitively.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .raw_schema import LANDED_TABLES

TEXT = "text"
EVENT_TIME = "event_time"  # missing or unreadable: the row is quarantined
OPTIONAL_TIME = "optional_time"  # unreadable: NULL, the row is kept


@dataclass(frozen=True)
class Column:
    """One raw column and the header column that feeds it (None: not in this file)."""

    name: str
    source: str | None
    role: str = TEXT
    # False for a column kept for analysts only: no verdict or identity reads it, so a file that
    # repeats it is still read (the first occurrence), with a data-quality finding
    needed: bool = True


@dataclass(frozen=True)
class Format:
    name: str  # canonical, shopify, mailchimp
    table: str  # raw table
    required: tuple[str, ...]  # header columns that must be present
    columns: tuple[Column, ...]
    id_columns: tuple[str, ...]  # header columns; empty value quarantines the row
    event_time: str | None  # header column of the event time
    times_in_utc: bool = False  # Mailchimp: times without offset are UTC, not local
    carried: tuple[str, ...] = ()  # Shopify order-level header columns filled on the first row only
    group_by: str | None = None  # Shopify: header column grouping rows into one order
    # header columns read for a purpose other than a raw column (not "extra")
    used_elsewhere: tuple[str, ...] = field(default_factory=tuple)


def _canonical(
    table: str,
    required: list[str],
    optional: list[str],
    ids: list[str],
    event_time: str | None,
    optional_times: tuple[str, ...] = (),
    used_elsewhere: tuple[str, ...] = (),
    for_analysts: tuple[str, ...] = (),
) -> Format:
    def role(name: str) -> str:
        if name == event_time:
            return EVENT_TIME
        return OPTIONAL_TIME if name in optional_times else TEXT

    order = [name for name, _ in LANDED_TABLES[table]]
    present = set(required) | set(optional)
    columns = tuple(
        Column(name, name if name in present else None, role(name), needed=name not in for_analysts)
        for name in order
    )
    return Format(
        name="canonical",
        table=table,
        required=tuple(required),
        columns=columns,
        id_columns=tuple(ids),
        event_time=event_time,
        used_elsewhere=used_elsewhere,
    )


SNAPSHOT_TAKEN_AT = "snapshot_taken_at"

CANONICAL: dict[str, Format] = {
    "sales": _canonical(
        "sales",
        required=["order_id", "line_id", "email", "product_category", "ordered_at", "source_system"],
        optional=[
            "is_paid",
            "status",
            "privacy_notice_version",
            "soft_spam_opt_out",
            "controller",
            "customer_id",
            "product_sku",
            "amount",
        ],
        ids=["order_id", "line_id"],
        event_time="ordered_at",
        for_analysts=("customer_id", "product_sku", "amount"),
    ),
    "sends": _canonical(
        "sends",
        required=[
            "send_id",
            "campaign_id",
            "channel",
            "email",
            "promoted_category",
            "legal_basis",
            "sent_at",
            "has_opt_out_link",
            "source_system",
        ],
        optional=["controller"],
        ids=["send_id"],
        event_time="sent_at",
    ),
    "oppositions": _canonical(
        "oppositions",
        required=["opposition_id", "email", "scope", "opposed_at", "source_system"],
        optional=["recorded_at", "request_channel"],
        ids=["opposition_id"],
        event_time="opposed_at",
        optional_times=("recorded_at",),
    ),
    "consents": _canonical(
        "consents",
        required=["consent_id", "email", "channel", "status", "event_at", "source_system"],
        optional=["evidence_ref"],
        ids=["consent_id"],
        event_time="event_at",
    ),
    # the application column is filled from the folder name, not from the file
    "suppressions": _canonical(
        "suppressions",
        required=["email"],
        optional=["suppressed_since"],
        ids=["email"],
        event_time=None,
        optional_times=("suppressed_since",),
        used_elsewhere=(SNAPSHOT_TAKEN_AT, "application"),
    ),
}

SHOPIFY = Format(
    name="shopify",
    table="shopify_order_lines",
    required=("Name", "Email", "Financial Status", "Created at", "Lineitem sku"),
    columns=(
        Column("order_name", "Name"),
        Column("order_id", "Id"),
        Column("email", "Email"),
        Column("financial_status", "Financial Status"),
        Column("accepts_marketing", "Accepts Marketing"),
        Column("total", "Total"),
        Column("created_at", "Created at", EVENT_TIME),
        Column("cancelled_at", "Cancelled at", OPTIONAL_TIME),
        Column("lineitem_quantity", "Lineitem quantity", needed=False),
        Column("lineitem_name", "Lineitem name", needed=False),
        Column("lineitem_price", "Lineitem price", needed=False),
        Column("lineitem_sku", "Lineitem sku"),
    ),
    id_columns=("Name",),
    event_time="Created at",
    carried=("Email", "Financial Status", "Accepts Marketing", "Total", "Created at", "Cancelled at", "Id"),
    group_by="Name",
)

MAILCHIMP = Format(
    name="mailchimp",
    table="mailchimp_unsubscribes",
    required=("Email Address", "UNSUB_TIME"),
    columns=(
        Column("email_address", "Email Address"),
        Column("unsub_time", "UNSUB_TIME", EVENT_TIME),
        Column("unsub_campaign_title", "UNSUB_CAMPAIGN_TITLE", needed=False),
        Column("unsub_campaign_id", "UNSUB_CAMPAIGN_ID", needed=False),
        Column("unsub_reason", "UNSUB_REASON", needed=False),
        Column("leid", "LEID"),
        Column("euid", "EUID"),
    ),
    # any one of them identifies the row: handled specially (see loader)
    id_columns=("LEID", "EUID", "Email Address"),
    event_time="UNSUB_TIME",
    times_in_utc=True,
)

# Real-world formats accepted in each landing kind, besides the canonical one.
REAL_WORLD: dict[str, tuple[Format, ...]] = {
    "sales": (SHOPIFY,),
    "sends": (),
    "oppositions": (MAILCHIMP,),
    "consents": (),
    "suppressions": (MAILCHIMP,),
}


def normalise_header(name: str) -> str:
    return name.strip().lower()


def header_positions(header: list[str]) -> dict[str, int]:
    """Normalised header name -> position of its first occurrence."""
    positions: dict[str, int] = {}
    for position, name in enumerate(header):
        positions.setdefault(normalise_header(name), position)
    return positions


def _repeated(fmt: Format, header: list[str], needed: bool) -> list[str]:
    """Columns named twice in ``header`` among those the format reads that are (not) needed."""
    always = {normalise_header(name) for name in (*fmt.required, *fmt.id_columns, *fmt.used_elsewhere)}
    needed_columns = always | {
        normalise_header(column.source) for column in fmt.columns if column.source and column.needed
    }
    read = needed_columns | {normalise_header(column.source) for column in fmt.columns if column.source}
    wanted = needed_columns if needed else read - needed_columns
    names = [normalise_header(name) for name in header]
    return sorted({name for name in names if name in wanted and names.count(name) > 1})


def ambiguous_columns(fmt: Format, header: list[str]) -> list[str]:
    """Columns a verdict or an identity reads that the header names twice: which one holds the
    data is unknowable, so the file cannot be read."""
    return _repeated(fmt, header, needed=True)


def repeated_columns(fmt: Format, header: list[str]) -> list[str]:
    """Columns kept for analysts only that the header names twice (older Mailchimp exports repeat
    UNSUB_REASON): the first is read, the others kept among the extra columns."""
    return _repeated(fmt, header, needed=False)


def missing_columns(fmt: Format, header: list[str]) -> list[str]:
    positions = header_positions(header)
    return [name for name in fmt.required if normalise_header(name) not in positions]


def recognise(kind: str, header: list[str]) -> Format | None:
    """The format of a file of ``kind`` with this header, or None when none matches."""
    for fmt in REAL_WORLD[kind]:
        if not missing_columns(fmt, header):
            return fmt
    canonical = CANONICAL[kind]
    return None if missing_columns(canonical, header) else canonical


def unrecognised_message(kind: str, file_name: str, header: list[str]) -> str:
    """Why a header matches no format: the kind, the file, the expected and missing columns."""
    canonical = CANONICAL[kind]
    missing = missing_columns(canonical, header)
    parts = [
        f"{kind} file {file_name}: header matches no known format; "
        f"expected canonical {kind} columns {', '.join(canonical.required)} "
        f"(missing: {', '.join(missing)})"
    ]
    for fmt in REAL_WORLD[kind]:
        parts.append(f"or a {fmt.name} export with columns {', '.join(fmt.required)}")
    return "; ".join(parts)
