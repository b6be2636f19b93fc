"""Fixture writers: a Shopify "Export orders" CSV and Mailchimp "unsubscribed" exports with their
real full headers, and the canonical landing rows that say the same thing (docs/formats.md section 1).

No customer data: invented people at example.it. The Shopify and the canonical landing folders
share identical sends/ files; the tests compare what the warehouse makes of each.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

# The 79 columns of Shopify's "Export orders" CSV (Admin > Orders > Export), in Shopify's order.
SHOPIFY_HEADER: tuple[str, ...] = (
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

# Mailchimp audience export, "unsubscribed" segment: the current layout ...
MAILCHIMP_CURRENT_HEADER: tuple[str, ...] = (
    "Email Address", "First Name", "Last Name", "Address", "Phone Number", "Birthday", "MEMBER_RATING",
    "OPTIN_TIME", "OPTIN_IP", "CONFIRM_TIME", "CONFIRM_IP", "GMTOFF", "DSTOFF", "TIMEZONE", "CC", "REGION",
    "UNSUB_TIME", "UNSUB_CAMPAIGN_TITLE", "UNSUB_CAMPAIGN_ID", "UNSUB_REASON", "UNSUB_REASON_OTHER",
    "LEID", "EUID", "NOTES", "TAGS",
)  # fmt: skip
# ... and the older one (geolocation columns, no TAGS)
MAILCHIMP_OLDER_HEADER: tuple[str, ...] = (
    "Email Address", "First Name", "Last Name", "MEMBER_RATING", "OPTIN_TIME", "OPTIN_IP", "CONFIRM_TIME",
    "CONFIRM_IP", "LATITUDE", "LONGITUDE", "GMTOFF", "DSTOFF", "TIMEZONE", "CC", "REGION", "UNSUB_TIME",
    "UNSUB_CAMPAIGN_TITLE", "UNSUB_CAMPAIGN_ID", "UNSUB_REASON", "UNSUB_REASON_OTHER", "LEID", "EUID",
    "NOTES",
)  # fmt: skip

ANNA = "anna.rossi@example.it"
BRUNO = "bruno.conti@example.it"
CARLA = "carla.esposito@example.it"
DARIO = "dario.ricci@example.it"
ELENA = "elena.marino@example.it"
FRANCO = "franco.bianchi@example.it"
GINA = "gina.verdi@example.it"
HUGO = "hugo.ferri@example.it"
IVO = "ivo.galli@example.it"
LUCA = "luca.greco@example.it"

SHOP_ADDRESS = {
    "Billing Street": "Via Roma 1, Scala B",
    "Billing Address1": "Via Roma 1",
    "Billing Address2": "Scala B",
    "Billing City": "Milano",
    "Billing Zip": "'20121",
    "Billing Province": "MI",
    "Billing Country": "IT",
    "Billing Province Name": "Milano",
}


def _order_first_row(**fields: str) -> dict[str, str]:
    """Order-level fields a real export writes only on an order's first row."""
    row = {
        "Currency": "EUR",
        "Shipping": "0.00",
        "Shipping Method": "Spedizione standard",
        "Payment Method": "Shopify Payments",
        "Vendor": "Negozio Demo",
        "Risk Level": "Low",
        "Source": "web",
        "Tax 1 Name": "IVA 22%",
        "Outstanding Balance": "0.00",
        "Payment Terms Name": "",
        **SHOP_ADDRESS,
    }
    row.update(fields)
    return row


def _line(name: str, quantity: str, title: str, price: str, sku: str) -> dict[str, str]:
    return {
        "Name": name,
        "Lineitem quantity": quantity,
        "Lineitem name": title,
        "Lineitem price": price,
        "Lineitem compare at price": "",
        "Lineitem sku": sku,
        "Lineitem requires shipping": "true",
        "Lineitem taxable": "true",
        "Lineitem fulfillment status": "pending",
        "Lineitem discount": "0.00",
        "Vendor": "Negozio Demo",
    }


def shopify_rows() -> list[dict[str, str]]:
    """The orders, newest first as Shopify exports them; order fields on each order's first row."""
    return [
        # paid order whose only SKU is not in the catalogue
        {
            **_order_first_row(
                Email=IVO,
                **{"Financial Status": "paid", "Paid at": "2026-04-12 16:00:05 +0200"},
                **{"Accepts Marketing": "no", "Subtotal": "5.00", "Taxes": "0.90", "Total": "5.00"},
                **{
                    "Created at": "2026-04-12 16:00:00 +0200",
                    "Id": "5820000007",
                    "Billing Name": "Ivo Galli",
                },
            ),
            **_line("#1007", "1", "Confezione regalo", "5.00", "GFT-050"),
        },
        # paid footwear order, Accepts Marketing no
        {
            **_order_first_row(
                Email=FRANCO,
                **{"Financial Status": "paid", "Paid at": "2026-04-10 09:15:10 +0200"},
                **{"Fulfillment Status": "fulfilled", "Fulfilled at": "2026-04-11 10:00:00 +0200"},
                **{"Accepts Marketing": "no", "Subtotal": "129.00", "Taxes": "23.26", "Total": "129.00"},
                **{"Created at": "2026-04-10 09:15:00 +0200", "Id": "5820000006"},
                **{"Billing Name": "Franco Bianchi", "Phone": "+39 333 0000006"},
            ),
            **_line("#1006", "1", "Scarpe da corsa", "129.00", "FOO-002"),
        },
        # refunded order: still a sale (docs/rules.md section 4)
        {
            **_order_first_row(
                Email=ELENA,
                **{"Financial Status": "refunded", "Paid at": "2026-03-20 11:00:04 +0100"},
                **{"Accepts Marketing": "no", "Subtotal": "59.90", "Taxes": "10.80", "Total": "59.90"},
                **{"Created at": "2026-03-20 11:00:00 +0100", "Refunded Amount": "59.90"},
                **{"Id": "5820000005", "Billing Name": "Elena Marino"},
            ),
            **_line("#1005", "1", "Camicia di lino", "59.90", "FAS-001"),
        },
        # free order (100% discount): Total 0, unpaid; Accepts Marketing yes is still a consent
        {
            **_order_first_row(
                Email=DARIO,
                **{"Financial Status": "paid", "Paid at": "2026-03-02 18:45:00 +0100"},
                **{"Accepts Marketing": "yes", "Subtotal": "0.00", "Taxes": "0.00", "Total": "0.00"},
                **{"Discount Code": "LIBROGRATIS", "Discount Amount": "14.90"},
                **{
                    "Created at": "2026-03-02 18:45:00 +0100",
                    "Id": "5820000004",
                    "Billing Name": "Dario Ricci",
                },
            ),
            **_line("#1004", "1", "Romanzo in omaggio", "14.90", "BOO-001"),
        },
        # pending (bank transfer not received): unpaid
        {
            **_order_first_row(
                Email=CARLA,
                **{"Financial Status": "pending", "Accepts Marketing": "no"},
                **{"Subtotal": "45.00", "Taxes": "8.11", "Total": "45.00", "Payment Method": "Bank Deposit"},
                **{
                    "Created at": "2026-02-15 12:00:00 +0100",
                    "Id": "5820000003",
                    "Billing Name": "Carla Esposito",
                },
            ),
            **_line("#1003", "1", "Set di coltelli", "45.00", "KIT-002"),
        },
        # cancelled order (authorization voided); Accepts Marketing yes
        {
            **_order_first_row(
                Email=BRUNO,
                **{"Financial Status": "voided", "Accepts Marketing": "yes"},
                **{"Subtotal": "749.00", "Taxes": "135.07", "Total": "749.00"},
                **{"Created at": "2026-02-10 15:30:00 +0100", "Cancelled at": "2026-02-11 09:00:00 +0100"},
                **{"Id": "5820000002", "Billing Name": "Bruno Conti", "Tags": "annullato, frode"},
            ),
            **_line("#1002", "1", "Portatile 14 pollici", "749.00", "COM-001"),
        },
        # three-line order; the address as typed by the buyer; a note spanning two lines
        {
            **_order_first_row(
                Email=" Anna.Rossi@Example.IT",
                **{"Financial Status": "paid", "Paid at": "2026-02-03 10:00:07 +0100"},
                **{"Fulfillment Status": "fulfilled", "Fulfilled at": "2026-02-04 08:00:00 +0100"},
                **{"Accepts Marketing": "yes", "Subtotal": "1028.00", "Taxes": "185.38", "Total": "1028.00"},
                **{
                    "Created at": "2026-02-03 10:00:00 +0100",
                    "Id": "5820000001",
                    "Billing Name": "Anna Rossi",
                },
                **{"Notes": "Consegnare al portiere,\nsecondo piano", "Note Attributes": "gift: no"},
                **{"Tags": "vip, newsletter"},
            ),
            **_line("#1001", "1", "Smartphone X 128GB", "899.00", "SMA-001"),
        },
        _line("#1001", "1", "Auricolari wireless", "119.00", "AUD-002"),
        _line("#1001", "1", "Cover in silicone", "10.00", "ACC-900"),
    ]


def _csv_text(header: tuple[str, ...], rows: list[dict[str, str]], *, quote_all: bool = False) -> str:
    unknown = {key for row in rows for key in row} - set(header)
    assert not unknown, f"fixture uses columns outside the header: {unknown}"
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer,
        fieldnames=list(header),
        restval="",
        lineterminator="\r\n" if quote_all else "\n",
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def shopify_csv() -> str:
    return _csv_text(SHOPIFY_HEADER, shopify_rows())


def _member(email: str, first: str, last: str, unsub_time: str, leid: str, euid: str, **more: str) -> dict:
    return {
        "Email Address": email,
        "First Name": first,
        "Last Name": last,
        "MEMBER_RATING": "2",
        "OPTIN_TIME": "2025-11-20 09:12:44",
        "OPTIN_IP": "",
        "CONFIRM_TIME": "2025-11-20 09:13:02",
        "CONFIRM_IP": "192.0.2.10",
        "GMTOFF": "1",
        "DSTOFF": "2",
        "TIMEZONE": "Europe/Rome",
        "CC": "IT",
        "REGION": "LM",
        "UNSUB_TIME": unsub_time,
        "UNSUB_CAMPAIGN_TITLE": "Saldi estivi, ultimi giorni",
        "UNSUB_CAMPAIGN_ID": "9f8e7d6c5b",
        "UNSUB_REASON": "I no longer want to receive these emails",
        "UNSUB_REASON_OTHER": "",
        "LEID": leid,
        "EUID": euid,
        "NOTES": "",
        **more,
    }


def _current(email: str, first: str, last: str, unsub_time: str, leid: str, euid: str) -> dict:
    return _member(
        email, first, last, unsub_time, leid, euid,
        Address="Via Roma 1  Milano  MI  20121  IT", TAGS='"Clienti", "Newsletter"',
    )  # fmt: skip


def _older(email: str, first: str, last: str, unsub_time: str, leid: str, euid: str, **more: str) -> dict:
    return _member(email, first, last, unsub_time, leid, euid, LATITUDE="45.4642", LONGITUDE="9.1900", **more)


# Mailchimp oppositions/: UNSUB_TIME is UTC
FRANCO_UNSUB, ANNA_UNSUB, GINA_UNSUB = "2026-06-01 08:30:00", "2026-07-01 12:00:00", "2026-05-15 07:00:00"


def mailchimp_oppositions_current() -> str:
    return _csv_text(
        MAILCHIMP_CURRENT_HEADER,
        [
            _current(FRANCO, "Franco", "Bianchi", FRANCO_UNSUB, "111000001", "a1b2c3d4e5"),
            _current(ANNA, "Anna", "Rossi", ANNA_UNSUB, "111000002", "b2c3d4e5f6"),
        ],
        quote_all=True,
    )


def mailchimp_oppositions_older() -> str:
    return _csv_text(
        MAILCHIMP_OLDER_HEADER,
        [
            # no LEID: the EUID identifies the member
            _older(
                GINA,
                "Gina",
                "Verdi",
                GINA_UNSUB,
                "",
                "f6e5d4c3b2",
                NOTES="Telefonata del 15/05:\nnon vuole piu' email",
            ),
            # damaged row: no UNSUB_TIME, quarantined
            _older(LUCA, "Luca", "Greco", "", "111000009", "c3d4e5f6a7"),
        ],
        quote_all=True,
    )


def mailchimp_snapshot_current() -> str:
    """suppressions/mailchimp/: Franco (typed oddly), Anna and Hugo, not Gina."""
    return _csv_text(
        MAILCHIMP_CURRENT_HEADER,
        [
            _current(
                " Franco.Bianchi@EXAMPLE.it ", "Franco", "Bianchi", FRANCO_UNSUB, "111000001", "a1b2c3d4e5"
            ),
            _current(ANNA, "Anna", "Rossi", ANNA_UNSUB, "111000002", "b2c3d4e5f6"),
            _current(HUGO, "Hugo", "Ferri", "2026-01-10 10:00:00", "111000003", "d4e5f6a7b8"),
        ],
        quote_all=True,
    )


def crm_snapshot_older() -> str:
    """suppressions/crm/ in Mailchimp's older layout: Gina and Anna, not Franco."""
    return _csv_text(
        MAILCHIMP_OLDER_HEADER,
        [
            _older(GINA, "Gina", "Verdi", GINA_UNSUB, "", "f6e5d4c3b2"),
            _older(ANNA, "Anna", "Rossi", ANNA_UNSUB, "111000002", "b2c3d4e5f6"),
        ],
        quote_all=True,
    )


SNAPSHOT_DATE = "2026-10-01"  # in the snapshot file names: midnight Europe/Rome

# --------------------------------------------------------------------------- canonical twins

_SALES_HEADER = "order_id,line_id,email,product_category,ordered_at,is_paid,status,product_sku,source_system"
CANONICAL_SALES = f"""{_SALES_HEADER}
5820000001,1,anna.rossi@example.it,smartphones,2026-02-03T09:00:00Z,true,completed,SMA-001,shopify
5820000001,2,anna.rossi@example.it,audio,2026-02-03T09:00:00Z,true,completed,AUD-002,shopify
5820000001,3,anna.rossi@example.it,,2026-02-03T09:00:00Z,true,completed,ACC-900,shopify
5820000002,1,bruno.conti@example.it,computers,2026-02-10T14:30:00Z,false,cancelled,COM-001,shopify
5820000003,1,carla.esposito@example.it,kitchen,2026-02-15T11:00:00Z,false,completed,KIT-002,shopify
5820000004,1,dario.ricci@example.it,books,2026-03-02T17:45:00Z,false,completed,BOO-001,shopify
5820000005,1,elena.marino@example.it,fashion,2026-03-20T10:00:00Z,true,refunded,FAS-001,shopify
5820000006,1,franco.bianchi@example.it,footwear,2026-04-10T07:15:00Z,true,completed,FOO-002,shopify
5820000007,1,ivo.galli@example.it,,2026-04-12T14:00:00Z,true,completed,GFT-050,shopify
"""

CANONICAL_CONSENTS = """consent_id,email,channel,status,event_at,evidence_ref,source_system
shopify:5820000001,anna.rossi@example.it,email,granted,2026-02-03T09:00:00Z,order #1001,shopify
shopify:5820000002,bruno.conti@example.it,email,granted,2026-02-10T14:30:00Z,order #1002,shopify
shopify:5820000004,dario.ricci@example.it,email,granted,2026-03-02T17:45:00Z,order #1004,shopify
"""

# a Mailchimp objection: the member and the time of the unsubscribe (docs/formats.md section 1)
FRANCO_UNSUBSCRIBE = "111000001@2026-06-01 08:30:00 UTC"
ANNA_UNSUBSCRIBE = "111000002@2026-07-01 12:00:00 UTC"
GINA_UNSUBSCRIBE = "f6e5d4c3b2@2026-05-15 07:00:00 UTC"

CANONICAL_OPPOSITIONS = f"""opposition_id,email,scope,opposed_at,request_channel,source_system
{FRANCO_UNSUBSCRIBE},franco.bianchi@example.it,email_marketing,2026-06-01T08:30:00Z,unsubscribe_link,mailchimp
{ANNA_UNSUBSCRIBE},anna.rossi@example.it,email_marketing,2026-07-01T12:00:00Z,unsubscribe_link,mailchimp
{GINA_UNSUBSCRIBE},gina.verdi@example.it,email_marketing,2026-05-15T07:00:00Z,unsubscribe_link,mailchimp
111000009,luca.greco@example.it,email_marketing,,unsubscribe_link,mailchimp
"""

_SNAPSHOT_AT = "2026-10-01T00:00:00+02:00"
CANONICAL_MAILCHIMP_SNAPSHOT = f"""email,suppressed_since,snapshot_taken_at
franco.bianchi@example.it,2026-06-01T08:30:00Z,{_SNAPSHOT_AT}
anna.rossi@example.it,2026-07-01T12:00:00Z,{_SNAPSHOT_AT}
hugo.ferri@example.it,2026-01-10T10:00:00Z,{_SNAPSHOT_AT}
"""
CANONICAL_CRM_SNAPSHOT = f"""email,suppressed_since,snapshot_taken_at
gina.verdi@example.it,2026-05-15T07:00:00Z,{_SNAPSHOT_AT}
anna.rossi@example.it,2026-07-01T12:00:00Z,{_SNAPSHOT_AT}
"""

# --------------------------------------------------------------------------- sends (both folders)

_SENDS_HEADER = (
    "send_id,campaign_id,channel,email,promoted_category,legal_basis,sent_at,has_opt_out_link,source_system"
)
SENDS = f"""{_SENDS_HEADER}
s01,cmp-feb,email,anna.rossi@example.it,audio,soft_spam,2026-03-01T10:00:00+01:00,true,mailchimp
s02,cmp-feb,email,anna.rossi@example.it,kitchen,soft_spam,2026-03-01T10:05:00+01:00,true,mailchimp
s03,cmp-feb,email,anna.rossi@example.it,kitchen,consent,2026-03-01T10:10:00+01:00,true,mailchimp
s04,cmp-feb,email,bruno.conti@example.it,computers,soft_spam,2026-03-01T10:00:00+01:00,true,mailchimp
s05,cmp-feb,email,bruno.conti@example.it,computers,consent,2026-03-01T10:00:00+01:00,true,mailchimp
s06,cmp-feb,email,carla.esposito@example.it,kitchen,soft_spam,2026-03-01T10:00:00+01:00,true,mailchimp
s07,cmp-feb,email,carla.esposito@example.it,kitchen,consent,2026-03-01T10:00:00+01:00,true,mailchimp
s08,cmp-mar,email,dario.ricci@example.it,books,soft_spam,2026-03-10T10:00:00+01:00,true,mailchimp
s09,cmp-mar,email,dario.ricci@example.it,books,consent,2026-03-10T10:00:00+01:00,true,mailchimp
s10,cmp-apr,email,elena.marino@example.it,footwear,soft_spam,2026-04-01T10:00:00+02:00,true,mailchimp
s11,cmp-may,email,franco.bianchi@example.it,fashion,soft_spam,2026-05-01T10:00:00+02:00,true,mailchimp
s12,cmp-jun,email,franco.bianchi@example.it,fashion,soft_spam,2026-06-01T07:30:00Z,true,mailchimp
s13,cmp-jun,email,franco.bianchi@example.it,fashion,soft_spam,2026-06-01T09:00:00Z,true,mailchimp
s14,cmp-jul,email,anna.rossi@example.it,audio,consent,2026-07-01T11:59:00Z,true,mailchimp
s15,cmp-jul,email,anna.rossi@example.it,audio,consent,2026-07-02T09:00:00Z,true,mailchimp
s16,cmp-may,email,gina.verdi@example.it,books,consent,2026-05-20T10:00:00+02:00,true,mailchimp
s17,cmp-may,email,ivo.galli@example.it,audio,soft_spam,2026-05-01T10:00:00+02:00,true,mailchimp
s18,cmp-feb,email,anna.rossi@example.it,smartphones,soft_spam,2026-02-03T08:59:00Z,true,mailchimp
s19,cmp-feb,email,anna.rossi@example.it,smartphones,soft_spam,2026-02-03T09:30:00Z,true,mailchimp
"""

SHOPIFY_FILE = "sales/orders_export_1.csv"
MC_CURRENT_FILE = "oppositions/members_export_unsubscribed_2026.csv"
MC_OLDER_FILE = "oppositions/members_export_unsubscribed_legacy.csv"
MC_SNAPSHOT_FILE = f"suppressions/mailchimp/unsubscribed_members_export_{SNAPSHOT_DATE}.csv"
CRM_SNAPSHOT_FILE = f"suppressions/crm/crm_unsubscribed_{SNAPSHOT_DATE.replace('-', '')}.csv"


def _write(landing: Path, relative: str, text: str) -> None:
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def write_real_landing(landing: Path) -> None:
    """The Shopify and Mailchimp exports, plus the shared sends."""
    _write(landing, SHOPIFY_FILE, shopify_csv())
    _write(landing, MC_CURRENT_FILE, mailchimp_oppositions_current())
    _write(landing, MC_OLDER_FILE, mailchimp_oppositions_older())
    _write(landing, MC_SNAPSHOT_FILE, mailchimp_snapshot_current())
    _write(landing, CRM_SNAPSHOT_FILE, crm_snapshot_older())
    _write(landing, "sends/sends.csv", SENDS)


def write_canonical_landing(landing: Path) -> None:
    """The same facts in the canonical formats, plus the same sends."""
    _write(landing, "sales/order_lines.csv", CANONICAL_SALES)
    _write(landing, "consents/consents.csv", CANONICAL_CONSENTS)
    _write(landing, "oppositions/oppositions.csv", CANONICAL_OPPOSITIONS)
    _write(landing, "suppressions/mailchimp/snapshot.csv", CANONICAL_MAILCHIMP_SNAPSHOT)
    _write(landing, "suppressions/crm/snapshot.csv", CANONICAL_CRM_SNAPSHOT)
    _write(landing, "sends/sends.csv", SENDS)
