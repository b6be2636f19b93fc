"""Column layouts and file dialects of the landing folder (docs/formats.md section 1)."""

from __future__ import annotations

from dataclasses import dataclass

SALES_COLUMNS = (
    "order_id",
    "line_id",
    "email",
    "product_category",
    "ordered_at",
    "is_paid",
    "status",
    "privacy_notice_version",
    "soft_spam_opt_out",
    "controller",
    "customer_id",
    "product_sku",
    "amount",
    "source_system",
)
SENDS_COLUMNS = (
    "send_id",
    "campaign_id",
    "channel",
    "email",
    "promoted_category",
    "legal_basis",
    "sent_at",
    "has_opt_out_link",
    "controller",
    "source_system",
)
OPPOSITIONS_COLUMNS = (
    "opposition_id",
    "email",
    "scope",
    "opposed_at",
    "recorded_at",
    "request_channel",
    "source_system",
)
CONSENTS_COLUMNS = ("consent_id", "email", "channel", "status", "event_at", "evidence_ref", "source_system")
SUPPRESSIONS_COLUMNS = ("email", "suppressed_since")
SUPPRESSIONS_WITH_SNAPSHOT_COLUMNS = ("email", "suppressed_since", "snapshot_taken_at")

# Shopify "Export orders": the full header of a real export; only some columns are read.
SHOPIFY_COLUMNS = (
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at",
    "Accepts Marketing", "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code",
    "Discount Amount", "Shipping Method", "Created at", "Lineitem quantity", "Lineitem name",
    "Lineitem price", "Lineitem compare at price", "Lineitem sku", "Lineitem requires shipping",
    "Lineitem taxable", "Lineitem fulfillment status", "Billing Name", "Billing Street",
    "Billing Address1", "Billing Address2", "Billing Company", "Billing City", "Billing Zip",
    "Billing Province", "Billing Country", "Billing Phone", "Shipping Name", "Shipping Street",
    "Shipping Address1", "Shipping Address2", "Shipping Company", "Shipping City", "Shipping Zip",
    "Shipping Province", "Shipping Country", "Shipping Phone", "Notes", "Note Attributes",
    "Cancelled at", "Payment Method", "Payment Reference", "Refunded Amount", "Vendor",
    "Outstanding Balance", "Employee", "Location", "Device ID", "Id", "Tags", "Risk Level", "Source",
    "Lineitem discount", "Tax 1 Name", "Tax 1 Value", "Tax 2 Name", "Tax 2 Value", "Tax 3 Name",
    "Tax 3 Value", "Tax 4 Name", "Tax 4 Value", "Tax 5 Name", "Tax 5 Value", "Phone",
    "Receipt Number", "Duties", "Billing Province Name", "Shipping Province Name", "Payment ID",
    "Payment Terms Name", "Next Payment Due At", "Payment References",
)  # fmt: skip
SHOPIFY_INDEX = {name: position for position, name in enumerate(SHOPIFY_COLUMNS)}

# Mailchimp audience export of unsubscribed members.
MAILCHIMP_COLUMNS = (
    "Email Address", "First Name", "Last Name", "MEMBER_RATING", "OPTIN_TIME", "OPTIN_IP",
    "CONFIRM_TIME", "CONFIRM_IP", "GMTOFF", "DSTOFF", "TIMEZONE", "CC", "REGION", "UNSUB_TIME",
    "UNSUB_CAMPAIGN_TITLE", "UNSUB_CAMPAIGN_ID", "UNSUB_REASON", "UNSUB_REASON_OTHER", "LEID", "EUID",
    "NOTES", "TAGS",
)  # fmt: skip


def mailchimp_objection_id(member: str, unsub_time_utc: str) -> str:
    """The opposition_id the warehouse gives a Mailchimp unsubscribe: the member and its time
    (macros/record_identity.sql; a member who unsubscribes again makes another objection)."""
    return f"{member}@{unsub_time_utc} UTC"


@dataclass(frozen=True)
class Dialect:
    """How a file is written: separator, byte-order mark, line ending."""

    delimiter: str = ","
    bom: bool = False
    newline: str = "\n"


PLAIN = Dialect()
# What an Italian spreadsheet or till software saves: semicolons, BOM, Windows line endings.
EXCEL_IT = Dialect(delimiter=";", bom=True, newline="\r\n")
