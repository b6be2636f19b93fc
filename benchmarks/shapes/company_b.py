"""Company B: a second benchmark company, generated with its own writer (not the demo's).

``python -m benchmarks.shapes.company_b --persons N --out LANDING [--seed S]``

A home, garden and sports retailer with a web shop, 47 shop tills, a newsletter, a CRM that runs
e-mail, SMS and push journeys, and a customer service. Its exports are shaped as issue 17 found
real ones, always within docs/formats.md:

- quarterly files (2023Q4 to 2026Q3) per export: web orders, till receipts, newsletter sends, CRM
  sends, objections, consents: 72 files at any scale; suppression snapshots of the four sending
  applications at the last four quarter ends; all six reference seeds in ``reference/``;
- till receipts: ``;``, BOM and CRLF, another column order, none of the optional columns, Italian
  local times ``dd/mm/yyyy HH:MM``, addresses upper-case and padded, some without an address;
- times in ISO with ``Z`` or an offset, ISO local time (SMS gateway, DPO) or Italian local time
  (tills, customer service, in-store forms): about 15% without an offset, never in the hour a
  clock change skips or repeats;
- booleans as true/false, yes/no, 1/0 and Si/No; channels as the CRM spells them (``Email``,
  ``SMS``); empty optional values (privacy notice version, opt-out, recorded_at, evidence);
- most buyers buy several times over the three years, so many soft-spam sends come before a
  later sale of the same person; consents, withdrawals and objections fall anywhere in the
  period, and reach each application late or never, as the snapshots show; about a fifth of the
  sends break a rule, out of the company's own targeting, not planted one by one.

Two rows per quarter cannot be read on purpose (a till receipt dated 31 June, a web order line
without order id): ``_company_b/summary.json`` lists them, so a test can tell them from a
reading fault. Same persons and seed, same bytes.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import hashlib
import io
import json
import random
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks.incremental_day import DayRecords, DayShape
from benchmarks.shapes.csvfiles import COMMA, TILL, Dialect, ExportFile, ExportFolder
from benchmarks.shapes.times import Clock

SEED = 20231001
SUMMARY = Path("_company_b") / "summary.json"
KINDS = ("sales", "sends", "oppositions", "consents", "suppressions", "reference")
FIRST_DAY, LAST_DAY = date(2023, 10, 1), date(2026, 9, 30)
DAYS = (LAST_DAY - FIRST_DAY).days + 1
CLOCK = Clock(FIRST_DAY, date(2027, 12, 31))  # later days: benchmarks.incremental_day's

# ---------------------------------------------------------------------------- reference data

CATEGORIES = {
    "arredamento": "Mobili e complementi d'arredo",
    "tessile_casa": "Tende, biancheria e tappeti",
    "illuminazione": "Lampade e illuminazione",
    "cucina": "Pentole, utensili e accessori da cucina",
    "elettrodomestici": "Piccoli e grandi elettrodomestici",
    "giardino": "Piante, vasi e arredo giardino",
    "fai_da_te": "Utensili e ferramenta",
    "sport": "Attrezzatura sportiva",
    "outdoor": "Campeggio ed escursionismo",
    "ciclismo": "Biciclette e accessori",
    "giocattoli": "Giochi e giocattoli",
    "animali": "Prodotti per animali domestici",
}
CODES = tuple(CATEGORIES)
ANALOGIES = (
    ("arredamento", "tessile_casa"),
    ("arredamento", "illuminazione"),
    ("tessile_casa", "arredamento"),
    ("illuminazione", "arredamento"),
    ("cucina", "elettrodomestici"),
    ("elettrodomestici", "cucina"),
    ("giardino", "fai_da_te"),
    ("fai_da_te", "giardino"),
    ("fai_da_te", "illuminazione"),
    ("sport", "outdoor"),
    ("outdoor", "sport"),
    ("ciclismo", "sport"),
    ("ciclismo", "outdoor"),
    ("animali", "giardino"),
)
# bought category -> the categories it allows promoting, itself first
PROMOTABLE = {c: (c, *sorted(b for a, b in ANALOGIES if a == c)) for c in CODES}
SKUS = {c: tuple(f"{c[:3].upper()}{c[-2:].upper()}{n:04d}" for n in range(1, 26)) for c in CODES}
# the seeds the compliance team keeps by hand, as saved; the rule codes are the contract's, the
# severities and wording the company's own
HAND_KEPT = {
    "privacy_notices": """\
version,effective_from,has_soft_spam_clause
INF-2019,2019-05-01,No
INF-2024,2023-12-01,Si
INF-2025,2025-09-01,si
""",
    "applications": """\
application,channel,sends_marketing,sla_hours
newsletter,email,yes,48
crm,email,true,72
sms,sms,1,24
app,push,Si,24
webshop,email,no,168
pos,email,0,168
""",
    "compliance_rules": """\
rule_code,severity,legal_reference,description
NO_LEGAL_BASIS,critical,"GDPR art. 6(1); D.Lgs. 196/2003 art. 130",Invio senza base giuridica.
NON_EMAIL_CHANNEL,critical,D.Lgs. 196/2003 art. 130 c.4,Soft spam su un canale diverso dall'e-mail.
NO_OPT_OUT_LINK,critical,D.Lgs. 196/2003 art. 130 c.4,Messaggio senza modo di opporsi.
SENT_AFTER_OPPOSITION,critical,GDPR art. 21(3),Invio dopo un'opposizione che lo copre.
CONSENT_MISSING,critical,"D.Lgs. 196/2003 art. 130 c.1-2; GDPR art. 7",Consenso dichiarato ma assente.
NO_SALE_RELATIONSHIP,critical,D.Lgs. 196/2003 art. 130 c.4,Soft spam senza una vendita.
NOT_ANALOGOUS,high,D.Lgs. 196/2003 art. 130 c.4,Categoria non analoga a quanto acquistato.
NOT_INFORMED,high,"D.Lgs. 196/2003 art. 130 c.4; GDPR art. 13",Vendita senza informativa sul soft spam.
AUTHORIZATION_EXPIRED,high,"Garante, provvedimento 2005",Ultima vendita analoga troppo vecchia.
""",
}
NOTICE_STARTS = {
    row["version"]: date.fromisoformat(row["effective_from"])
    for row in csv.DictReader(io.StringIO(HAND_KEPT["privacy_notices"]))
}
SLA_HOURS = {  # the applications that send marketing
    row["application"]: int(row["sla_hours"])
    for row in csv.DictReader(io.StringIO(HAND_KEPT["applications"]))
    if row["sends_marketing"].lower() not in ("no", "0")
}


def write_reference(folder: ExportFolder) -> None:
    """The six seeds as the company supplies them (landing/reference/)."""
    tables = {
        "product_categories": (("category", "description"), list(CATEGORIES.items())),
        "category_analogies": (("category", "analogous_category"), list(ANALOGIES)),
        "product_catalog": (("sku", "product_category"), [(s, c) for c in CODES for s in SKUS[c]]),
    }
    for name, (header, rows) in tables.items():
        out = folder.file(f"reference/{name}.csv", header)
        for row in rows:
            out.write(row)
    for name, text in HAND_KEPT.items():
        (folder.root / "reference" / f"{name}.csv").write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------------- exports

# each export's header row, in its own column order
WEB = "order_id,line_id,email,product_category,ordered_at,is_paid,status,privacy_notice_version,"
WEB += "soft_spam_opt_out,controller,customer_id,product_sku,amount,source_system"
TILL_RECEIPTS = "source_system;ordered_at;order_id;line_id;email;product_category"
NEWSLETTER = "send_id,campaign_id,channel,email,promoted_category,legal_basis,sent_at,has_opt_out_link,"
NEWSLETTER += "source_system"
CRM = "sent_at;source_system;channel;send_id;campaign_id;email;promoted_category;legal_basis;"
CRM += "has_opt_out_link;controller"
OBJECTIONS = "opposition_id,email,scope,opposed_at,recorded_at,request_channel,source_system"
CONSENTS = "consent_id,email,channel,status,event_at,evidence_ref,source_system"

# per sending application: how its export writes a time, a true/false, the channel
SENDERS = {
    "newsletter": (CLOCK.iso_z, ("true", "false"), "email"),
    "crm": (CLOCK.iso_offset, ("yes", "no"), "Email"),
    "sms": (CLOCK.local_iso, ("Si", "No"), "SMS"),
    "app": (CLOCK.iso_z, ("1", "0"), "Push"),
}
# per recording system: how it writes a time
RECORDERS = {
    "newsletter": CLOCK.iso_z,
    "crm": CLOCK.iso_offset,
    "customer_service": CLOCK.italian,
    "dpo": CLOCK.local_iso,
    "web_form": CLOCK.iso_z,
    "preference_center": CLOCK.iso_z,
    "store": CLOCK.italian,
    "app": CLOCK.iso_offset,
}
LOCAL_FORMS = {CLOCK.italian, CLOCK.local_iso}


def _send_row(
    app: str, send_id: str, campaign: str, email: str, category: str, basis: str, at: int, opt_out: bool
) -> tuple[str, list[str]]:
    """(file family, row) of a send in its application's export."""
    form, (yes, no), channel = SENDERS[app]
    flag = yes if opt_out else no
    if app == "newsletter":
        return "newsletter", [send_id, campaign, channel, email, category, basis, form(at), flag, app]
    return "crm", [form(at), app, channel, send_id, campaign, email, category, basis, flag, ""]


def _web_row(order: tuple, line: int, category: str, sku: str, amount: str) -> list[str]:
    """A web order line; ``order`` is (order_id, email, instant, paid, status, notice version named,
    checkout refusal as written, customer id)."""
    order_id, email, at, paid, status, version, refused, customer = order
    sale = [order_id, str(line), email, category, CLOCK.iso_offset(at), "true" if paid else "false", status]
    return [*sale, version, refused, "", customer, sku, amount, "webshop"]


def _objection_row(
    opposition_id: str,
    email: str,
    scope: str,
    at: int,
    recorded: int | None,
    request_channel: str,
    source: str,
) -> list[str]:
    form = RECORDERS[source]
    recorded_text = "" if recorded is None else form(recorded)
    return [opposition_id, email, scope, form(at), recorded_text, request_channel, source]


def _consent_row(
    consent_id: str, email: str, channel: str, status: str, at: int, evidence: str, source: str
) -> list[str]:
    return [consent_id, email, channel, status, RECORDERS[source](at), evidence, source]


# the export files of one period (a quarter such as 2024Q1, or one day): name, header, dialect
FAMILIES = {
    "web": ("sales/web_orders_{}.csv", WEB.split(","), COMMA),
    "till": ("sales/pos_{}.csv", TILL_RECEIPTS.split(";"), TILL),
    "newsletter": ("sends/newsletter_{}.csv", NEWSLETTER.split(","), COMMA),
    "crm": ("sends/crm_{}.csv", CRM.split(";"), Dialect(delimiter=";")),
    "objections": ("oppositions/objections_{}.csv", OBJECTIONS.split(","), COMMA),
    "consents": ("consents/consents_{}.csv", CONSENTS.split(","), COMMA),
}


class PeriodFiles:
    """One period's export files, each opened when its first row comes."""

    def __init__(self, folder: ExportFolder, period: str) -> None:
        self._folder, self._period = folder, period

    def __getitem__(self, family: str) -> ExportFile:
        name, header, dialect = FAMILIES[family]
        return self._folder.file(name.format(self._period), header, dialect)


# ------------------------------------------------------------------------------ population

FIRST_NAMES = (
    "aurora leonardo ginevra tommaso beatrice edoardo alice gabriele emma pietro greta "
    "diego noemi filippo rebecca samuele arianna michele vittoria jacopo asia cristian "
    "elisa manuel marta raffaele nicole enea carlotta mattia irene daniele"
).split()
LAST_NAMES = (
    "bellini cattaneo donati ferri grasso guerra marchetti neri orlando palumbo parisi "
    "pellegrini piras rota sala sartori testa valentini villa zanetti benedetti bianco "
    "carbone damico fabbri farina gatti giuliani lombardo monti morelli negri riva silvestri"
).split()
DOMAINS = ("example.com", "example.net", "example.org", "posta.example", "mail.example")
PRICES = ("9.90", "14.50", "29.00", "39.90", "59.00", "89.90", "149.00", "249.00", "499.00")
# purchases per buyer over the three years: most buy several times
PURCHASES = (
    (0.22, 1),
    (0.42, 2),
    (0.59, 3),
    (0.72, 4),
    (0.82, 5),
    (0.89, 6),
    (0.94, 7),
    (0.97, 8),
    (0.99, 9),
    (1.0, 10),
)
APP_WEIGHTS = ((0.42, "newsletter"), (0.72, "crm"), (0.90, "sms"), (1.0, "app"))
EMAIL_APPS = ("newsletter", "crm")
# who records an objection: scope, recording system, request channel, id prefix
OBJECTION_KINDS = (
    (0.40, ("soft_spam", "crm", "unsubscribe_link", "CRM-OPP")),
    (0.75, ("email_marketing", "newsletter", "unsubscribe_link", "NL-UNS")),
    (0.90, ("all_marketing", "customer_service", "phone", "CS")),
    (1.00, ("all_marketing", "dpo", "pec", "DPO")),
)
LEAK = 0.03  # sends that ignore the application's own suppression (a segment exported before it)
OPT_OUT_MISSING = {"newsletter": 0.003, "crm": 0.015, "sms": 0.03, "app": 0.01}
NOTICE_2024 = (NOTICE_STARTS["INF-2024"] - FIRST_DAY).days
STALE_NOTICE_UNTIL = NOTICE_2024 + 45  # the web shop still named the old one for a while
NOTICE_2025 = (NOTICE_STARTS["INF-2025"] - FIRST_DAY).days
QUARTER = [f"{d.year}Q{(d.month - 1) // 3 + 1}" for d in (FIRST_DAY + timedelta(days=i) for i in range(DAYS))]
WEEK = [
    f"{d.isocalendar()[0]}W{d.isocalendar()[1]:02d}"
    for d in (FIRST_DAY + timedelta(days=i) for i in range(DAYS))
]
# the applications' suppression snapshots: local midnight of the day after each of the last four quarters
SNAPSHOT_DAYS = (date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1), date(2026, 10, 1))


def _local_midnight(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=ZoneInfo("Europe/Rome")).timestamp())


SNAPSHOTS = tuple((day, _local_midnight(day)) for day in SNAPSHOT_DAYS)


def _pick(rng: random.Random, table: tuple[tuple[float, object], ...]):
    draw = rng.random()
    return next(value for threshold, value in table if draw < threshold)


def _typed(rng: random.Random, address: str) -> str:
    """The address as the person typed it into a form."""
    draw = rng.random()
    if draw < 0.70:
        return address
    if draw < 0.88:
        return address.title()
    if draw < 0.95:
        return address + " "
    return address.upper()


def _till(address: str) -> str:
    """Tills keep addresses upper-case in a fixed-width field."""
    return address.upper().ljust(48)


def _notice_named(rng: random.Random, day: int) -> str:
    """The version a web order line names; empty: the one in force (the contract's default)."""
    draw = rng.random()
    if draw < 0.45:
        return ""
    if day < NOTICE_2024 or (day < STALE_NOTICE_UNTIL and draw < 0.72):
        return "INF-2019"
    return "INF-2024" if day < NOTICE_2025 else "INF-2025"


class Generator:
    def __init__(self, out: Path, seed: int) -> None:
        self.rng = random.Random(seed)
        self.folder = ExportFolder(out)
        self.quarters = {q: PeriodFiles(self.folder, q) for q in sorted(set(QUARTER))}
        self.snapshot_files = [self._snapshot_files(day, at) for day, at in SNAPSHOTS]
        self.counters: dict[str, int] = {}
        self.times = {"event_times": 0, "without_offset": 0, "italian": 0}

    def _snapshot_files(self, day: date, at: int) -> dict[str, tuple]:
        stamp, iso = day.strftime("%Y%m%d"), day.isoformat()
        folder = self.folder
        return {
            "newsletter": (
                folder.file(
                    f"suppressions/newsletter/suppressed_{iso}.csv",
                    ("email", "suppressed_since", "snapshot_taken_at"),
                ),
                lambda address, since: [address, CLOCK.iso_z(since), CLOCK.iso_z(at)],
            ),
            "crm": (
                folder.file(f"suppressions/crm/blocklist_{stamp}.csv", ("email",)),
                lambda address, since: [address.title()],
            ),
            "sms": (
                folder.file(f"suppressions/sms/optout_{iso}.csv", ("email", "suppressed_since"), TILL),
                lambda address, since: [_till(address), CLOCK.local_iso(since)],
            ),
            "app": (
                folder.file(f"suppressions/app/push_blocked_{iso}.csv", ("email", "snapshot_taken_at")),
                lambda address, since: [address, CLOCK.iso_offset(at)],
            ),
        }

    def _next(self, counter: str) -> int:
        self.counters[counter] = self.counters.get(counter, 0) + 1
        return self.counters[counter]

    def _timed(self, form, count: int = 1) -> None:
        self.times["event_times"] += count
        if form in LOCAL_FORMS:
            self.times["without_offset"] += count
            if form == CLOCK.italian:
                self.times["italian"] += count

    # -- one person ---------------------------------------------------------------------

    def person(self, index: int) -> None:
        rng = self.rng
        address = f"{rng.choice(FIRST_NAMES)}.{rng.choice(LAST_NAMES)}{index}@{rng.choice(DOMAINS)}"
        typed = _typed(rng, address)
        draw = rng.random()
        buyer, subscriber, lead = draw < 0.80, 0.80 <= draw < 0.92, draw >= 0.92
        lines: list[tuple[int, str]] = []  # (instant, category) of the sales the company can link
        objections: list[tuple[int, str, str | None]] = []  # (instant, scope, application that recorded it)
        if buyer:
            start = self._purchases(index, address, typed, lines, objections)
        else:
            start = rng.randrange(DAYS - 30)
        lines.sort()
        consents = self._consents(address, typed, start, lines, buyer, subscriber)
        for at, channel, granted, source in consents:
            if not granted and channel in ("email", "all"):  # a withdrawal is an objection too
                scope = "all_marketing" if channel == "all" else "email_marketing"
                objections.append((at, scope, "newsletter" if source == "preference_center" else None))
        self._objections(index, address, typed, start, objections)
        blocked = self._propagation(objections, consents)
        self._sends(address, typed, start, lead, lines, consents, blocked)
        self._snapshots(address, blocked)

    def _purchases(self, index, address, typed, lines, objections) -> int:
        rng = self.rng
        days = sorted(rng.randrange(DAYS) for _ in range(_pick(rng, PURCHASES)))
        primary = rng.choice(CODES)
        for day in days:
            files = self.quarters[QUARTER[day]]
            count = 1 + (rng.random() < 0.3) + (rng.random() < 0.1)
            if rng.random() < 0.55:
                at = CLOCK.at(day, rng.randrange(86400))  # the web shop never closes
                order_id = f"W{self._next('web'):09d}"
                draw = rng.random()
                status = "completed" if draw < 0.90 else "cancelled" if draw < 0.96 else "refunded"
                paid = rng.random() >= 0.02
                refused = rng.random() < 0.03
                refused_text = "" if rng.random() < 0.3 and not refused else ("yes" if refused else "no")
                version = _notice_named(rng, day)
                customer = f"K{index:08d}" if rng.random() < 0.7 else ""
                order = (order_id, typed, at, paid, status, version, refused_text, customer)
                for line in range(1, count + 1):
                    category = self._category(primary)
                    amount = rng.choice(PRICES) if paid else "0.00"
                    files["web"].write(_web_row(order, line, category, rng.choice(SKUS[category]), amount))
                    lines.append((at, category))
                self._timed(CLOCK.iso_offset, count)
                if refused:  # the web shop passes the checkout refusal on to the CRM
                    objections.append((at, "soft_spam", None))
            else:
                at = CLOCK.daytime(rng, day, 7, 18)
                at -= at % 60
                receipt = f"{rng.randrange(1, 48):03d}-{self._next('till'):08d}"
                email = _till(address) if rng.random() >= 0.12 else ""  # no loyalty card shown
                for line in range(1, count + 1):
                    category = self._category(primary)
                    files["till"].write(["POS", CLOCK.italian(at), receipt, str(line), email, category])
                    if email:
                        lines.append((at, category))
                self._timed(CLOCK.italian, count)
        return max(days[0] - 30, 0)

    def _category(self, primary: str) -> str:
        rng = self.rng
        draw = rng.random()
        if draw < 0.60:
            return primary
        if draw < 0.85:
            return rng.choice(PROMOTABLE[primary])
        return rng.choice(CODES)

    def _consents(self, address, typed, start, lines, buyer, subscriber) -> list[tuple[int, str, bool, str]]:
        rng = self.rng
        events: list[tuple[int, str, bool, str]] = []

        def later(day: int) -> int:
            return rng.randrange(min(day, DAYS - 1), DAYS)

        def grant_and_maybe_withdraw(channel, chance, withdraw, sources, day=None):
            if rng.random() >= chance:
                return
            day = later(start) if day is None else day
            source = rng.choice(sources)
            events.append((CLOCK.daytime(rng, day), channel, True, source))
            if rng.random() < withdraw:
                out_day = later(day + 1)
                withdrawer = "preference_center" if rng.random() < 0.7 else "customer_service"
                events.append((CLOCK.daytime(rng, out_day), channel, False, withdrawer))
                if rng.random() < 0.25:
                    events.append((CLOCK.daytime(rng, later(out_day + 1)), channel, True, "web_form"))

        at_purchase = CLOCK.day_of(lines[0][0]) if lines and rng.random() < 0.5 else None
        grant_and_maybe_withdraw(
            "email",
            1.0 if subscriber else 0.45 if buyer else 0.0,
            0.22,
            ("web_form", "web_form", "store"),
            at_purchase,
        )
        grant_and_maybe_withdraw("sms", 0.18, 0.12, ("store", "web_form"))
        grant_and_maybe_withdraw("push", 0.15, 0.10, ("app",))
        grant_and_maybe_withdraw("all", 0.02, 0.4, ("store",))
        events.sort()
        for at, channel, granted, source in events:
            email = typed if source != "customer_service" else address.upper()
            status = "granted" if granted else "withdrawn"
            if source == "store":
                status = status.upper()
            evidence = "" if rng.random() < 0.2 else f"{source}:{self._next('evidence'):09d}"
            consent_id = f"B-CNS-{self._next('consent'):09d}"
            day = min(CLOCK.day_of(at), DAYS - 1)
            self.quarters[QUARTER[day]]["consents"].write(
                _consent_row(consent_id, email, channel, status, at, evidence, source)
            )
            self._timed(RECORDERS[source])
        return [(at, channel, granted, source) for at, channel, granted, source in events]

    def _objections(self, index, address, typed, start, objections) -> None:
        rng = self.rng
        if rng.random() >= 0.15:
            return
        for _ in range(2 if rng.random() < 0.06 else 1):
            at = CLOCK.daytime(rng, rng.randrange(start, DAYS))
            scope, source, channel, prefix = _pick(rng, OBJECTION_KINDS)
            email = {"newsletter": address, "customer_service": f"  {address.upper()} "}.get(source, typed)
            recorded = at + rng.randrange(0, 72 * 3600) if rng.random() < 0.7 else None
            if rng.random() < 0.15:
                channel = ""
            opposition_id = f"{prefix}-{self._next('opposition'):08d}"
            self.quarters[QUARTER[CLOCK.day_of(at)]]["objections"].write(
                _objection_row(opposition_id, email, scope, at, recorded, channel, source)
            )
            self._timed(RECORDERS[source])
            objections.append((at, scope, source if source in SLA_HOURS else None))

    def _propagation(self, objections, consents) -> dict[str, tuple[int | None, int | None]]:
        """Per sending application, from when it suppresses the person, and until when (a later
        consent on its channel brings a consent-based sender back; nothing brings the CRM's soft
        spam back)."""
        rng = self.rng
        blocked: dict[str, tuple[int | None, int | None]] = {}
        for app, sla in SLA_HOURS.items():
            since = None
            for at, scope, recorded_by in objections:
                if app not in EMAIL_APPS and scope != "all_marketing":
                    continue  # an SMS or push list holds only objections to all marketing
                if recorded_by == app:
                    known = at
                else:
                    draw = rng.random()
                    if draw < 0.78:
                        known = at + rng.randrange(600, int(sla * 3600 * 0.9))
                    elif draw < 0.94:
                        known = at + rng.randrange(sla * 3600, 40 * 86400)
                    else:
                        continue  # never reaches this application
                since = known if since is None else min(since, known)
            until = None
            if since is not None and app != "crm":
                channel = {"newsletter": "email", "sms": "sms", "app": "push"}[app]
                until = next(
                    (
                        at
                        for at, ch, granted, _ in consents
                        if granted and at > since and ch in (channel, "all")
                    ),
                    None,
                )
            blocked[app] = (since, until)
        return blocked

    def _sends(self, address, typed, start, lead, lines, consents, blocked) -> None:
        rng = self.rng
        line_at = [at for at, _ in lines]

        def consented(channel: str, at: int) -> bool:
            state = False
            for event_at, ch, granted, _ in consents:
                if event_at > at:
                    break
                if ch in (channel, "all"):
                    state = granted
            return state

        # the longer the company has known a person, the more it has written to them
        for _ in range(round(rng.uniform(14, 35) * (DAYS - start) / DAYS)):
            day = rng.randrange(start, DAYS)
            at = CLOCK.daytime(rng, day)
            if lead and rng.random() >= 0.25:
                continue  # a bought list of leads, mailed now and then
            app = "crm" if lead else _pick(rng, APP_WEIGHTS)
            since, until = blocked[app]
            if since is not None and since <= at and (until is None or at < until) and rng.random() >= LEAK:
                continue
            bought = bisect.bisect_right(line_at, at)
            if app == "newsletter":
                if consented("email", at):
                    basis, category = "consent", rng.choice(CODES)
                elif bought:
                    basis, category = "soft_spam", self._promoted(lines, bought)
                elif rng.random() < 0.1:  # a stale subscriber list
                    basis, category = "consent", rng.choice(CODES)
                else:
                    continue
            elif app == "crm":
                if not bought and not lead and rng.random() >= 0.03:
                    continue
                basis = "soft_spam"
                category = self._promoted(lines, bought) if bought else rng.choice(CODES)
                if rng.random() < 0.008:
                    basis = rng.choice(("", "legitimate_interest", "Legittimo interesse"))
            elif app == "sms":
                draw = rng.random()
                if consented("sms", at):
                    basis = "consent"
                elif draw < 0.04:
                    basis = "soft_spam"
                elif draw < 0.08:
                    basis = "consent"
                else:
                    continue
                category = rng.choice(CODES)
            else:
                if not consented("push", at) and rng.random() >= 0.1:
                    continue  # the app reads an install as a consent for some of its pushes
                basis, category = "consent", rng.choice(CODES)
            email = address if app == "newsletter" else typed
            if app == "sms" and rng.random() < 0.03:
                email = ""
            send_id = f"{app[:3].upper()}{self._next(app):010d}"
            campaign = f"{app[:2].upper()}-{WEEK[day]}-{category}"
            opt_out = rng.random() >= OPT_OUT_MISSING[app]
            family, row = _send_row(app, send_id, campaign, email, category, basis, at, opt_out)
            self.quarters[QUARTER[day]][family].write(row)
            self._timed(SENDERS[app][0])

    def _promoted(self, lines: list[tuple[int, str]], bought: int) -> str:
        """What the CRM promotes: mostly something analogous to the last purchase, sometimes to an
        older one, sometimes whatever the campaign of the week sells."""
        rng = self.rng
        draw = rng.random()
        if draw < 0.75:
            return rng.choice(PROMOTABLE[lines[bought - 1][1]])
        if draw < 0.92:
            return rng.choice(PROMOTABLE[lines[rng.randrange(bought)][1]])
        return rng.choice(CODES)

    def _snapshots(self, address, blocked) -> None:
        for (_, taken_at), files in zip(SNAPSHOTS, self.snapshot_files, strict=True):
            for app, (since, until) in blocked.items():
                if since is not None and since <= taken_at and (until is None or until > taken_at):
                    out, render = files[app]
                    out.write(render(address, since))

    # -- the rows planted on purpose ------------------------------------------------------

    def plant_unreadable_rows(self) -> list[dict[str, object]]:
        planted = []
        for quarter, files in self.quarters.items():
            year = quarter[:4]
            line = files["till"].write(["POS", f"31/06/{year} 12:00", "000-00000000", "1", "", "arredamento"])
            planted.append({"file": f"sales/pos_{quarter}.csv", "line": line, "reason": "unreadable time"})
            at = CLOCK.at(QUARTER.index(quarter), 12 * 3600)
            order = ("", "ordine.senza.id@example.com", at, True, "completed", "", "", "")
            line = files["web"].write(_web_row(order, 1, "cucina", "", "9.90"))
            planted.append(
                {"file": f"sales/web_orders_{quarter}.csv", "line": line, "reason": "missing order id"}
            )
        return planted


# ---------------------------------------------------------------------------------- entry


def fingerprint() -> str:
    """Of the code that writes the files: a cached landing folder of older code is stale."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in ("company_b.py", "csvfiles.py", "times.py"):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


def is_generated(landing: Path, persons: int, seed: int = SEED) -> bool:
    path = Path(landing) / SUMMARY
    if not path.is_file():
        return False
    summary = json.loads(path.read_text())
    return (summary.get("persons"), summary.get("seed"), summary.get("generator")) == (
        persons,
        seed,
        fingerprint(),
    )


def _clear(out: Path) -> None:
    """Replace an earlier generation; never touch a landing folder that holds real exports."""
    landed = [kind for kind in KINDS if (out / kind).exists()]
    if landed and not (out / SUMMARY).is_file():
        raise FileExistsError(f"{out} holds landing data ({', '.join(landed)}) not written by company_b")
    for kind in (*KINDS, SUMMARY.parent.as_posix()):
        shutil.rmtree(out / kind, ignore_errors=True)


def generate(out: Path, persons: int, seed: int = SEED) -> dict:
    """Write company B's landing folder for ``persons`` persons; return (and write) its summary."""
    if persons < 0:
        raise ValueError(f"persons must be >= 0, got {persons}")
    out = Path(out)
    _clear(out)
    out.mkdir(parents=True, exist_ok=True)
    generator = Generator(out, seed)
    write_reference(generator.folder)
    for index in range(persons):
        generator.person(index)
    planted = generator.plant_unreadable_rows()
    rows_per_file = generator.folder.close()
    rows_per_file.update({f"reference/{name}.csv": text.count("\n") - 1 for name, text in HAND_KEPT.items()})
    files: dict[str, int] = {}
    rows: dict[str, int] = {}
    for relative, count in sorted(rows_per_file.items()):
        kind = relative.split("/", 1)[0]
        files[kind] = files.get(kind, 0) + 1
        rows[kind] = rows.get(kind, 0) + count
    times = generator.times
    summary = {
        "shape": "company_b",
        "persons": persons,
        "seed": seed,
        "generator": fingerprint(),
        "files_per_kind": files,
        "rows_per_kind": rows,
        "event_times": times["event_times"],
        "without_offset_share": round(times["without_offset"] / max(times["event_times"], 1), 4),
        "italian_share": round(times["italian"] / max(times["event_times"], 1), 4),
        "planted_unreadable_rows": planted,
    }
    (out / SUMMARY).parent.mkdir(parents=True, exist_ok=True)
    (out / SUMMARY).write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    return summary


# ------------------------------------------------------------------------ one more day


def _epoch(moment: datetime) -> int:
    return int(moment.astimezone(UTC).timestamp())


def _write_day(landing: Path, day: str, records: DayRecords) -> None:
    """The day's rows in company B's exports: its files, named for the day instead of a quarter."""
    folder = ExportFolder(landing)
    files = PeriodFiles(folder, day)
    for s in records["sends"]:
        family, row = _send_row(
            s.source, s.send_id, s.campaign_id, s.email, s.category, s.basis, _epoch(s.at), s.opt_out
        )
        files[family].write(row)
    for s in records["sales"]:
        refused = "yes" if s.refused else "no"
        order = (s.order_id, s.email, _epoch(s.at), True, s.status, "", refused, "")
        files["web"].write(_web_row(order, 1, s.category, "", "49.90"))
    for o in records["oppositions"]:
        files["objections"].write(
            _objection_row(
                o.opposition_id, o.email, o.scope, _epoch(o.at), None, "unsubscribe_link", o.source
            )
        )
    for c in records["consents"]:
        files["consents"].write(
            _consent_row(
                c.consent_id, c.email, c.channel, c.status, _epoch(c.at), f"form:{c.consent_id}", c.source
            )
        )
    folder.close()


DAY = DayShape(
    categories=CODES,
    buyers_glob="web_orders_*.csv",
    senders={"email": "newsletter", "sms": "sms"},
    sale_source="webshop",
    opposition_source="crm",
    consent_source="web_form",
    write=_write_day,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=2000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    summary = generate(args.out, args.persons, args.seed)
    print(json.dumps({k: v for k, v in summary.items() if k != "planted_unreadable_rows"}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
