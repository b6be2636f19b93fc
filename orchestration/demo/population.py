"""Background persons: the bulk of the demo, streamed one person at a time.

Each person follows one profile, and the profile decides, by construction, which rules each of
its sends breaks. Profiles are built so that a person's events cannot interact unexpectedly:
compliant sends stay at least a day away from every opposition, window limit or withdrawal, and
promote only categories analogous to the person's first (qualifying, informed) sale.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from orchestration.demo import clock
from orchestration.demo.formats import (
    CONSENTS_COLUMNS,
    EXCEL_IT,
    MAILCHIMP_COLUMNS,
    OPPOSITIONS_COLUMNS,
    SALES_COLUMNS,
    SENDS_COLUMNS,
    SHOPIFY_COLUMNS,
    SHOPIFY_INDEX,
    mailchimp_objection_id,
)
from orchestration.demo.ground_truth import GroundTruth
from orchestration.demo.reference import DemoReference
from orchestration.demo.suppressions import SuppressionSnapshots
from orchestration.demo.writers import LandingWriter

FIRST_NAMES = (
    "marco",
    "giulia",
    "luca",
    "francesca",
    "alessandro",
    "chiara",
    "andrea",
    "sara",
    "matteo",
    "valentina",
    "lorenzo",
    "elena",
    "davide",
    "martina",
    "simone",
    "federica",
    "giorgio",
    "anna",
    "paolo",
    "silvia",
    "stefano",
    "laura",
    "riccardo",
    "alessia",
    "fabio",
    "roberta",
    "emanuele",
    "giada",
    "nicola",
    "ilaria",
    "antonio",
    "beatrice",
    "giuseppe",
    "camilla",
    "francesco",
    "sofia",
)
LAST_NAMES = (
    "rossi",
    "russo",
    "ferrari",
    "esposito",
    "bianchi",
    "romano",
    "colombo",
    "ricci",
    "marino",
    "greco",
    "bruno",
    "gallo",
    "conti",
    "deluca",
    "mancini",
    "costa",
    "giordano",
    "rizzo",
    "lombardi",
    "moretti",
    "barbieri",
    "fontana",
    "santoro",
    "mariani",
    "rinaldi",
    "caruso",
    "ferrara",
    "galli",
    "martini",
    "leone",
    "longo",
    "gentile",
    "martinelli",
    "vitale",
    "serra",
)
DOMAINS = ("example.com", "example.net", "example.org")
PRODUCT_NAMES = {
    "smartphones": "Smartphone",
    "audio": "Cuffie wireless",
    "computers": "Notebook 14",
    "home_appliances": "Lavatrice 8kg",
    "kitchen": "Set pentole",
    "fashion": "Giacca in cotone",
    "footwear": "Sneakers",
    "beauty": "Crema viso",
    "sports": "Tappetino yoga",
    "books": "Romanzo",
}
PRICES = ("19.90", "24.99", "39.00", "49.90", "79.00", "129.00", "199.99", "349.00", "599.00")
# Categories a background buyer's first purchase is in: ones the analogies make interesting.
BUYER_CATEGORIES = (
    "smartphones",
    "smartphones",
    "audio",
    "computers",
    "home_appliances",
    "kitchen",
    "fashion",
    "footwear",
    "sports",
    "beauty",
    "books",
)
LAST = clock.PERIOD_DAYS - 1
AUTHORIZED_DAYS = 700  # compliant soft-spam sends stay within this of the sale (< 24 months)
EXPIRED_AFTER_DAYS = 733  # and expired ones beyond this (> 24 months whatever the month lengths)

# Profile weights (cumulative thresholds on rng.random()).
PROFILES = (
    (0.50, "soft_spam_buyer"),
    (0.58, "unsubscriber"),
    (0.73, "newsletter_subscriber"),
    (0.81, "sms_subscriber"),
    (0.84, "registrant_without_purchase"),
    (0.88, "lapsed_buyer"),
    (0.90, "stale_notice_buyer"),
    (1.00, "silent_buyer"),
)
# Where an unsubscription is recorded, with its scope, request channel and file.
UNSUBSCRIBE_SOURCES = (
    ("crm", "soft_spam", "unsubscribe_link"),
    ("esp", "soft_spam", "unsubscribe_link"),
    ("mailchimp", "email_marketing", "unsubscribe_link"),
    ("preference_center", "email_marketing", "web_form"),
    ("customer_service", "all_marketing", "phone"),
    ("dpo", "all_marketing", "pec"),
)
SENDERS = {  # source: (id prefix, time formatter, opt-out yes, opt-out no, controller)
    "mailchimp": ("MC", clock.iso_z, "true", "false", "demo_shop_srl"),
    "crm": ("CRM", clock.iso_offset, "yes", "no", ""),
    "sms_gateway": ("SMS", clock.naive_local, "1", "0", ""),
}


class Population:
    """Writes background persons into the landing folder and their outcomes into the ground truth."""

    def __init__(
        self,
        landing: LandingWriter,
        truth: GroundTruth,
        snapshots: SuppressionSnapshots,
        reference: DemoReference,
        rng: random.Random,
    ) -> None:
        self._landing = landing
        self._truth = truth
        self._snapshots = snapshots
        self._ref = reference
        self._rng = rng
        self._counters: dict[str, int] = {}
        self._promotable = {c: tuple(sorted(reference.promotable[c])) for c in reference.categories}
        self._profiles: dict[str, Callable[[str, int], None]] = {
            name: getattr(self, f"_{name}") for _, name in PROFILES
        }
        self._mailchimp_unsubscribes = landing.stream(
            "oppositions/mailchimp_unsubscribed_2026-10-31.csv", MAILCHIMP_COLUMNS
        )
        self._shopify = landing.stream("sales/shopify_orders_export.csv", SHOPIFY_COLUMNS)
        self.persons = 0

    # -- the loop ---------------------------------------------------------------------------

    def write(self, count: int, progress: Callable[[str], None] | None = None) -> None:
        rng = self._rng
        step = max(count // 10, 1)
        for index in range(count):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            email = f"{first}.{last}.{index}@{rng.choice(DOMAINS)}"
            draw = rng.random()
            profile = next(name for threshold, name in PROFILES if draw < threshold)
            self._profiles[profile](email, index)
            self.persons += 1
            if progress is not None and (index + 1) % step == 0:
                progress(f"background persons: {index + 1}/{count}")

    def _next(self, counter: str) -> int:
        value = self._counters.get(counter, 0) + 1
        self._counters[counter] = value
        return value

    # -- profiles ---------------------------------------------------------------------------

    def _soft_spam_buyer(self, email: str, index: int) -> None:
        rng = self._rng
        day, category, bought = self._qualifying_purchase(email, index, rng.randrange(0, LAST - 60))
        for send_day in self._days(rng.randint(5, 19), day + 1, min(day + AUTHORIZED_DAYS, LAST)):
            self._soft_spam_send(email, send_day, category, bought)

    def _unsubscriber(self, email: str, index: int) -> None:
        rng = self._rng
        day, category, bought = self._qualifying_purchase(email, index, rng.randrange(0, LAST - 120))
        latest_ok = min(day + AUTHORIZED_DAYS, LAST)
        opposed_day = rng.randint(day + 30, min(day + 600, LAST - 35))
        for send_day in self._days(rng.randint(3, 12), day + 1, opposed_day - 1):
            self._soft_spam_send(email, send_day, category, bought)
        if rng.random() < 0.15:  # the application that was never told: mail after the objection
            for send_day in self._days(rng.randint(1, 2), opposed_day + 1, latest_ok):
                self._send(
                    "mailchimp",
                    "email",
                    email,
                    rng.choice(self._promotable[category]),
                    "soft_spam",
                    send_day,
                    True,
                    ("SENT_AFTER_OPPOSITION",),
                )
        opposition_id = self._opposition(email, index, opposed_day)
        missing: tuple[str, ...] = ()
        if rng.random() < 0.03:
            owed = (
                ("mailchimp", "crm", "sms_gateway")
                if opposition_id[1] == "all_marketing"
                else ("mailchimp", "crm")
            )
            missing = (rng.choice(owed),)
            self._truth.alignment_gap(missing[0], email, opposition_id[0])
        self._snapshots.add(email, opposition_id[2], opposition_id[3], opposition_id[0], missing_from=missing)

    def _newsletter_subscriber(self, email: str, index: int) -> None:
        rng = self._rng
        granted_day = rng.randrange(0, LAST - 60)
        channel = "all" if rng.random() < 0.1 else "email"
        source = "preference_center" if rng.random() < 0.7 else "ecommerce"
        self._consent(email, source, channel, "granted", granted_day)
        if rng.random() < 0.3:  # signed up with a free account: not a sale
            self._sale(email, index, "ecommerce", granted_day, rng.choice(BUYER_CATEGORIES), paid=False)
        withdrawn_day = LAST + 1
        if rng.random() < 0.1:
            withdrawn_day = rng.randint(granted_day + 20, LAST - 10)
            self._consent(email, source, channel, "withdrawn", withdrawn_day)
            since = clock.iso_z(withdrawn_day, 43200)
            self._snapshots.add(email, since, since[:10] + " 12:00:00", f"W{index}")
        for send_day in self._days(rng.randint(4, 16), granted_day + 1, withdrawn_day - 1):
            sender = "mailchimp" if rng.random() < 0.8 else "crm"
            has_opt_out = rng.random() >= 0.01
            self._send(
                sender,
                "email",
                email,
                rng.choice(BUYER_CATEGORIES),
                "consent",
                send_day,
                has_opt_out,
                () if has_opt_out else ("NO_OPT_OUT_LINK",),
            )
        if withdrawn_day <= LAST and rng.random() < 0.25:
            for send_day in self._days(1, withdrawn_day + 1, LAST):
                self._send(
                    "mailchimp",
                    "email",
                    email,
                    rng.choice(BUYER_CATEGORIES),
                    "consent",
                    send_day,
                    True,
                    ("SENT_AFTER_OPPOSITION", "CONSENT_MISSING"),
                )

    def _sms_subscriber(self, email: str, index: int) -> None:
        rng = self._rng
        granted_day = rng.randrange(0, LAST - 60)
        forgot_sms_consent = rng.random() < 0.04  # only e-mail consent on file, yet texted
        channel = "email" if forgot_sms_consent else ("all" if rng.random() < 0.15 else "sms")
        self._consent(email, "preference_center", channel, "granted", granted_day)
        codes = ("CONSENT_MISSING",) if forgot_sms_consent else ()
        for send_day in self._days(rng.randint(2, 8), granted_day + 1, LAST):
            self._send(
                "sms_gateway", "sms", email, rng.choice(BUYER_CATEGORIES), "consent", send_day, True, codes
            )

    def _registrant_without_purchase(self, email: str, index: int) -> None:
        rng = self._rng
        day = rng.randrange(0, LAST - 30)
        category = rng.choice(BUYER_CATEGORIES)
        if rng.random() < 0.5:
            self._sale(email, index, "ecommerce", day, category, paid=False)  # free trial
        else:
            self._sale(email, index, "ecommerce", day, category, status="cancelled")
        for send_day in self._days(rng.randint(1, 3), day + 1, LAST):
            self._send(
                "mailchimp", "email", email, category, "soft_spam", send_day, True, ("NO_SALE_RELATIONSHIP",)
            )

    def _lapsed_buyer(self, email: str, index: int) -> None:
        rng = self._rng
        day = rng.randrange(0, 250)
        category = rng.choice(BUYER_CATEGORIES)
        self._sale(email, index, "ecommerce", day, category)
        promotable = self._promotable[category]
        for send_day in self._days(rng.randint(3, 8), day + 1, day + AUTHORIZED_DAYS):
            self._send("crm", "email", email, rng.choice(promotable), "soft_spam", send_day, True, ())
        for send_day in self._days(rng.randint(1, 3), day + EXPIRED_AFTER_DAYS, LAST):
            self._send(
                "crm",
                "email",
                email,
                rng.choice(promotable),
                "soft_spam",
                send_day,
                True,
                ("AUTHORIZATION_EXPIRED",),
            )

    def _stale_notice_buyer(self, email: str, index: int) -> None:
        """A shop till that still hands out the 2021 notice, which has no soft-spam clause."""
        rng = self._rng
        day = rng.randrange(0, LAST - 60)
        category = rng.choice(BUYER_CATEGORIES)
        self._sale(email, index, "pos", day, category, version="v2021")
        promotable = self._promotable[category]
        for send_day in self._days(rng.randint(2, 5), day + 1, min(day + AUTHORIZED_DAYS, LAST)):
            self._send(
                "mailchimp",
                "email",
                email,
                rng.choice(promotable),
                "soft_spam",
                send_day,
                True,
                ("NOT_INFORMED",),
            )

    def _silent_buyer(self, email: str, index: int) -> None:
        rng = self._rng
        for _ in range(rng.randint(1, 2)):
            source = "pos" if rng.random() < 0.4 else "ecommerce"
            self._sale(email, index, source, rng.randrange(0, LAST), rng.choice(BUYER_CATEGORIES))

    # -- building blocks --------------------------------------------------------------------

    def _days(self, count: int, first: int, last: int) -> list[int]:
        if last < first:
            return []
        return sorted(self._rng.randint(first, last) for _ in range(count))

    def _qualifying_purchase(self, email: str, index: int, day: int) -> tuple[int, str, frozenset[str]]:
        """A paid, informed first purchase, maybe followed by others; returns the first's day and
        category and every category the person ever bought in (for non-analogous sends)."""
        rng = self._rng
        category = rng.choice(BUYER_CATEGORIES)
        bought = {category}
        draw = rng.random()
        if draw < 0.04:
            self._shopify_order(email, index, day, category)
        else:
            source = "pos" if draw < 0.34 else "ecommerce"
            status = "refunded" if rng.random() < 0.03 else "completed"
            self._sale(email, index, source, day, category, status=status)
        if rng.random() < 0.3:  # a later order: never needed, sometimes not even a sale
            other = rng.choice(BUYER_CATEGORIES)
            bought.add(other)
            roll = rng.random()
            self._sale(
                email,
                index,
                "ecommerce",
                rng.randint(day, LAST),
                other,
                status="cancelled" if roll < 0.1 else "completed",
                paid=roll >= 0.15,
            )
        allowed: set[str] = set()
        for each in bought:
            allowed |= self._ref.promotable[each]
        return day, category, frozenset(allowed)

    def _soft_spam_send(self, email: str, day: int, category: str, allowed: frozenset[str]) -> None:
        """A soft-spam e-mail within the authorization; now and then without opt-out or off-topic."""
        rng = self._rng
        sender = "mailchimp" if rng.random() < 0.7 else "crm"
        roll = rng.random()
        if roll < 0.02:
            self._send(
                sender,
                "email",
                email,
                rng.choice(self._promotable[category]),
                "soft_spam",
                day,
                False,
                ("NO_OPT_OUT_LINK",),
            )
            return
        if roll < 0.05:
            off_topic = [c for c in self._ref.categories if c not in allowed]
            if off_topic:
                self._send(
                    sender, "email", email, rng.choice(off_topic), "soft_spam", day, True, ("NOT_ANALOGOUS",)
                )
                return
        self._send(sender, "email", email, rng.choice(self._promotable[category]), "soft_spam", day, True, ())

    def _send(
        self,
        source: str,
        channel: str,
        email: str,
        category: str,
        basis: str,
        day: int,
        has_opt_out: bool,
        codes: tuple[str, ...],
    ) -> None:
        prefix, when, yes, no, controller = SENDERS[source]
        send_id = f"{prefix}{self._next(source):09d}"
        second = self._rng.randrange(clock.DAY_START_SECOND, clock.DAY_END_SECOND)
        campaign = f"{prefix}-{clock.MONTH[day]}-{category}"
        self._landing.stream(f"sends/sends_{clock.MONTH[day]}.csv", SENDS_COLUMNS).line(
            f"{send_id},{campaign},{channel},{email},{category},{basis},{when(day, second)},"
            f"{yes if has_opt_out else no},{controller},{source}"
        )
        if codes:
            self._truth.send(send_id, source, codes)
        else:
            self._truth.compliant_send(send_id, source)

    def _sale(
        self,
        email: str,
        index: int,
        source: str,
        day: int,
        category: str,
        *,
        paid: bool = True,
        status: str = "completed",
        version: str = "",
    ) -> None:
        rng = self._rng
        second = rng.randrange(clock.DAY_START_SECOND, clock.DAY_END_SECOND, 60)
        sku = rng.choice(self._ref.skus_by_category[category])
        price = rng.choice(PRICES) if paid else "0.00"
        year = clock.YEAR[day]
        paid_text, paid_italian = ("true", "si") if paid else ("false", "no")
        if source == "pos":  # Italian till export: ';', BOM, CRLF, dd/mm/yyyy, si/no, decimal comma
            order_id = f"POS-MI01-{self._next('pos'):08d}"
            shown = email if rng.random() < 0.9 else email.capitalize()
            self._landing.stream(f"sales/pos_{year}.csv", SALES_COLUMNS, EXCEL_IT).line(
                f"{order_id};1;{shown};{category};{clock.italian_local(day, second)};{paid_italian};"
                f"{status};{version};no;demo_shop_srl;;{sku};{price.replace('.', ',')};pos"
            )
            return
        order_id = f"EC{self._next('ecommerce'):09d}"
        if not version and rng.random() < 0.3:  # some exports name the notice shown
            version = "v2025" if clock.UTC_DATE[day] >= "2025-03-01" else "v2023"
        self._landing.stream(f"sales/ecommerce_orders_{year}.csv", SALES_COLUMNS).line(
            f"{order_id},1,{email},{category},{clock.iso_offset(day, second)},{paid_text},"
            f"{status},{version},false,,CU{index:08d},{sku},{price},ecommerce"
        )

    def _shopify_order(self, email: str, index: int, day: int, category: str) -> None:
        """A paid web-shop order exported by Shopify; accepting marketing is an e-mail consent."""
        rng = self._rng
        second = rng.randrange(clock.DAY_START_SECOND, clock.DAY_END_SECOND)
        created = clock.shopify_local(day, second)
        price = rng.choice(PRICES)
        number = self._next("shopify")
        row = [""] * len(SHOPIFY_COLUMNS)
        first, last = email.split("@")[0].split(".")[:2]
        for column, value in (
            ("Name", f"#{1000 + number}"),
            ("Email", email),
            ("Financial Status", "paid"),
            ("Paid at", created),
            ("Fulfillment Status", "fulfilled"),
            ("Accepts Marketing", "yes" if rng.random() < 0.4 else "no"),
            ("Currency", "EUR"),
            ("Subtotal", price),
            ("Shipping", "0.00"),
            ("Taxes", "0.00"),
            ("Total", price),
            ("Discount Amount", "0.00"),
            ("Shipping Method", "Spedizione standard"),
            ("Created at", created),
            ("Lineitem quantity", "1"),
            ("Lineitem name", PRODUCT_NAMES[category]),
            ("Lineitem price", price),
            ("Lineitem sku", rng.choice(self._ref.skus_by_category[category])),
            ("Lineitem requires shipping", "true"),
            ("Lineitem taxable", "true"),
            ("Lineitem fulfillment status", "fulfilled"),
            ("Billing Name", f"{first} {last}".title()),
            ("Billing City", "Milano"),
            ("Billing Country", "IT"),
            ("Payment Method", "Shopify Payments"),
            ("Id", str(5_100_000_000 + number)),
            ("Source", "web"),
        ):
            row[SHOPIFY_INDEX[column]] = value
        self._shopify.line(",".join(row))

    def _consent(self, email: str, source: str, channel: str, status: str, day: int) -> None:
        number = self._next(f"consent:{source}")
        if source == "preference_center":
            consent_id, event_at = f"PC-{number:09d}", clock.naive_local(day, 43200)
        else:
            consent_id, event_at = f"ECC-{number:09d}", clock.iso_z(day, 43200)
        self._landing.stream(f"consents/{source}_consents.csv", CONSENTS_COLUMNS).line(
            f"{consent_id},{email},{channel},{status},{event_at},form:{consent_id},{source}"
        )

    def _opposition(self, email: str, index: int, day: int) -> tuple[str, str, str, str]:
        """Records an unsubscription; returns (id, scope, ISO time, Mailchimp time) for suppressions."""
        rng = self._rng
        source, scope, request_channel = rng.choice(UNSUBSCRIBE_SOURCES)
        second = rng.randrange(clock.DAY_START_SECOND, clock.DAY_END_SECOND, 60)
        since_iso, since_mailchimp = clock.iso_z(day, second), clock.mailchimp_utc(day, second)
        number = self._next(f"opposition:{source}")
        if source == "mailchimp":
            leid = f"{100_000_000 + number}"
            first, last = email.split("@")[0].split(".")[:2]
            self._mailchimp_unsubscribes.line(
                f"{email},{first.title()},{last.title()},2,,,,,,,,IT,,{since_mailchimp},Newsletter "
                f"{clock.MONTH[day]},{clock.MONTH[day].replace('-', '')}a1,NORMAL,,{leid},,,"
            )
            return mailchimp_objection_id(leid, since_mailchimp), scope, since_iso, since_mailchimp
        opposition_id = f"OPP-{source.upper()}-{number:08d}"
        if source in ("customer_service", "dpo"):  # typed in by staff: Italian dates
            file, opposed_at = "oppositions/service_desk_oppositions.csv", clock.italian_local(day, second)
        elif source == "preference_center":
            file, opposed_at = "oppositions/preference_center_oppositions.csv", clock.naive_local(day, second)
        else:
            file, opposed_at = f"oppositions/{source}_oppositions.csv", clock.iso_offset(day, second)
        self._landing.stream(file, OPPOSITIONS_COLUMNS).line(
            f"{opposition_id},{email},{scope},{opposed_at},{since_iso},{request_channel},{source}"
        )
        return opposition_id, scope, since_iso, since_mailchimp
