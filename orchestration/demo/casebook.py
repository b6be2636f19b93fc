"""Writing planted cases: exact rows in exact files, each with the outcome it must produce.

Planted rows spell every value out (time forms, boolean spellings, padding), so a case shows the
very text the warehouse must read; the book records the expected outcome next to the row.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from orchestration.demo.formats import (
    CONSENTS_COLUMNS,
    EXCEL_IT,
    MAILCHIMP_COLUMNS,
    OPPOSITIONS_COLUMNS,
    PLAIN,
    SALES_COLUMNS,
    SENDS_COLUMNS,
    SHOPIFY_COLUMNS,
    SHOPIFY_INDEX,
    Dialect,
)
from orchestration.demo.ground_truth import GroundTruth
from orchestration.demo.suppressions import SuppressionSnapshots
from orchestration.demo.writers import LandingWriter

SALES_FILE = "sales/cases_orders.csv"
POS_FILE = "sales/pos_cases_negozio_torino.csv"  # Italian till export: ';', BOM, CRLF
SENDS_FILE = "sends/cases_sends.csv"
OPPOSITIONS_FILE = "oppositions/cases_oppositions.csv"  # has an extra free-text column
CONSENTS_FILE = "consents/cases_consents.csv"
MAILCHIMP_OPPOSITIONS_FILE = "oppositions/mailchimp_unsubscribed_2026-10-31.csv"
SHOPIFY_FILE = "sales/shopify_orders_export.csv"
EXTRA_OPPOSITION_COLUMNS = ("notes",)


@dataclass
class _Objector:
    """A planted person with an objection, for the suppression snapshots."""

    email: str
    since: datetime
    missing_from: set[str] = field(default_factory=set)


class CaseBook:
    def __init__(self, landing: LandingWriter, truth: GroundTruth) -> None:
        self._landing = landing
        self._truth = truth
        self._objectors: dict[str, _Objector] = {}
        self._shopify_orders = 0
        self._persons: set[str] = set()

    @property
    def persons(self) -> int:
        """Distinct planted addresses (normalized) in loaded rows."""
        return len(self._persons)

    # -- a case's description ---------------------------------------------------------------

    def case(self, who: str, what: str, rule: str, why: str) -> None:
        self._truth.case(f"`{who}`: {what} -> **{rule}**. {why}")

    # -- rows -------------------------------------------------------------------------------

    def _row(self, file: str, header: Sequence[str], values: dict[str, str], dialect: Dialect = PLAIN) -> int:
        address = (values.get("email") or values.get("Email Address") or "").strip().lower()
        if address:
            self._persons.add(address)
        return self._landing.stream(file, header, dialect).row([values.get(column, "") for column in header])

    def sale(
        self,
        order_id: str,
        email: str,
        category: str,
        ordered_at: str,
        *,
        line_id: str = "1",
        is_paid: str = "true",
        status: str = "completed",
        version: str = "",
        refused: str = "false",
        controller: str = "",
        pos: bool = False,
    ) -> None:
        values = {
            "order_id": order_id,
            "line_id": line_id,
            "email": email,
            "product_category": category,
            "ordered_at": ordered_at,
            "is_paid": is_paid,
            "status": status,
            "privacy_notice_version": version,
            "soft_spam_opt_out": refused,
            "controller": controller,
            "customer_id": f"CASE-{order_id}",
            "amount": "99.00",
            "source_system": "pos" if pos else "ecommerce",
        }
        if pos:
            self._row(POS_FILE, SALES_COLUMNS, values, EXCEL_IT)
        else:
            self._row(SALES_FILE, SALES_COLUMNS, values)
        if _is_true(refused):
            self._objector(email, ordered_at)

    def send(
        self,
        send_id: str,
        email: str,
        category: str,
        basis: str,
        sent_at: str,
        *,
        expect: Sequence[str] = (),
        channel: str = "email",
        opt_out: str = "true",
        source: str = "mailchimp",
        campaign: str = "CASE-CAMPAIGN",
        controller: str = "",
        file: str = SENDS_FILE,
        wins: bool = True,
    ) -> None:
        """``wins=False``: a version that a later export of the same send replaces (no outcome)."""
        values = {
            "send_id": send_id,
            "campaign_id": campaign,
            "channel": channel,
            "email": email,
            "promoted_category": category,
            "legal_basis": basis,
            "sent_at": sent_at,
            "has_opt_out_link": opt_out,
            "controller": controller,
            "source_system": source,
        }
        self._row(file, SENDS_COLUMNS, values)
        if wins:
            self._truth.send(send_id, source, expect)

    def opposition(
        self,
        opposition_id: str,
        email: str,
        scope: str,
        opposed_at: str,
        *,
        source: str = "crm",
        request_channel: str = "web_form",
        notes: str = "",
        since_iso: str | None = None,
    ) -> None:
        """``since_iso``: the same instant in ISO UTC, when ``opposed_at`` is written otherwise."""
        values = {
            "opposition_id": opposition_id,
            "email": email,
            "scope": scope,
            "opposed_at": opposed_at,
            "request_channel": request_channel,
            "source_system": source,
            "notes": notes,
        }
        self._row(OPPOSITIONS_FILE, OPPOSITIONS_COLUMNS + EXTRA_OPPOSITION_COLUMNS, values)
        self._objector(email, since_iso or opposed_at)

    def mailchimp_unsubscribe(self, email: str, unsub_time_utc: str, *, leid: str, euid: str = "") -> None:
        values = {
            "Email Address": email,
            "First Name": "Caso",
            "Last Name": "Demo",
            "MEMBER_RATING": "2",
            "OPTIN_TIME": "2024-02-01 10:00:00",
            "CC": "IT",
            "UNSUB_TIME": unsub_time_utc,
            "UNSUB_CAMPAIGN_TITLE": "Offerte di stagione",
            "UNSUB_CAMPAIGN_ID": "c0ffee01",
            "UNSUB_REASON": "NORMAL",
            "LEID": leid,
            "EUID": euid,
        }
        self._row(MAILCHIMP_OPPOSITIONS_FILE, MAILCHIMP_COLUMNS, values)
        self._objector(email, unsub_time_utc.replace(" ", "T") + "Z")

    def consent(self, consent_id: str, email: str, channel: str, status: str, event_at: str) -> None:
        values = {
            "consent_id": consent_id,
            "email": email,
            "channel": channel,
            "status": status,
            "event_at": event_at,
            "evidence_ref": f"form:{consent_id}",
            "source_system": "preference_center",
        }
        self._row(CONSENTS_FILE, CONSENTS_COLUMNS, values)
        if status == "withdrawn":
            self._objector(email, event_at)

    def shopify_order(
        self,
        email: str,
        created_at: str,
        skus: Sequence[str],
        *,
        financial_status: str = "paid",
        total: str = "199.00",
        accepts_marketing: str = "no",
        cancelled_at: str = "",
    ) -> str:
        """One order, one row per line item; order-level fields only on the first row, as Shopify does."""
        self._shopify_orders += 1
        name = f"#{90000 + self._shopify_orders}"
        for position, sku in enumerate(skus):
            row = {
                "Name": name,
                "Lineitem quantity": "1",
                "Lineitem name": f"Articolo {sku}",
                "Lineitem price": "99.00",
                "Lineitem sku": sku,
                "Lineitem requires shipping": "true",
            }
            if position == 0:
                row |= {
                    "Email": email,
                    "Financial Status": financial_status,
                    "Paid at": created_at if financial_status in ("paid", "refunded") else "",
                    "Accepts Marketing": accepts_marketing,
                    "Currency": "EUR",
                    "Subtotal": total,
                    "Total": total,
                    "Created at": created_at,
                    "Cancelled at": cancelled_at,
                    "Id": str(5_900_000_000 + self._shopify_orders),
                    "Source": "web",
                }
            self._persons.add(email.strip().lower())
            self._landing.stream(SHOPIFY_FILE, SHOPIFY_COLUMNS).row(
                [row.get(column, "") for column in SHOPIFY_INDEX]
            )
        return name

    def quarantined_row(
        self,
        file: str,
        header: Sequence[str],
        values: dict[str, str],
        reason_prefix: str,
        dialect: Dialect = PLAIN,
    ) -> None:
        line = self._landing.stream(file, header, dialect).row([values.get(column, "") for column in header])
        self._truth.quarantined(file, line, reason_prefix)

    # -- suppression snapshots --------------------------------------------------------------

    def _objector(self, email: str, since: str) -> None:
        normalized, at = email.strip().lower(), _utc(since)
        known = self._objectors.get(normalized)
        if known is None:
            self._objectors[normalized] = _Objector(normalized, at)
        elif at < known.since:
            known.since = at

    def missing_from_snapshot(self, email: str, applications: Collection[str]) -> None:
        self._objectors[email.strip().lower()].missing_from.update(applications)

    def alignment_gap(self, application: str, email: str, opposition_id: str) -> None:
        self._truth.alignment_gap(application, email.strip().lower(), opposition_id)

    def write_snapshots(self, snapshots: SuppressionSnapshots) -> None:
        for objector in self._objectors.values():
            since = objector.since
            snapshots.add(
                objector.email,
                since.strftime("%Y-%m-%dT%H:%M:%SZ"),
                since.strftime("%Y-%m-%d %H:%M:%S"),
                leid="",
                missing_from=objector.missing_from,
            )


def _is_true(text: str) -> bool:
    return text.strip().lower() in ("true", "yes", "1", "si")


def _utc(text: str) -> datetime:
    """Planted times that reach the snapshots are ISO with offset or Z."""
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"planted objection time needs an offset: {text}")
    return parsed.astimezone(UTC)
