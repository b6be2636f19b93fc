"""An independent, slow, obvious implementation of docs/rules.md sections 3, 4 and 7 over a landing folder.

It shares no code with the generator: it reads the files as any client would (format by header,
BOM, delimiter, every timestamp and boolean spelling) and judges each send from scratch, so that
agreement with ``_expected/`` catches scenario mistakes.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
CONTROLLER = "demo_shop_srl"
WINDOW_MONTHS = 24
TRUE = {"true", "yes", "1", "si"}
FALSE = {"false", "no", "0"}
SCOPES = {"soft_spam", "email_marketing", "all_marketing"}
PAID_STATUSES = {"paid", "partially_paid", "refunded", "partially_refunded"}


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def parse_time(text: str, *, naive_zone: ZoneInfo | type[UTC] = ROME) -> datetime | None:
    text = (text or "").strip()
    if not text:
        return None
    italian = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4}) (\d{2}):(\d{2})(?::(\d{2}))?", text)
    try:
        if italian:
            day, month, year, hour, minute, second = (int(x or 0) for x in italian.groups())
            parsed = datetime(year, month, day, hour, minute, second)
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{4}", text):
            parsed = datetime.strptime(text, "%Y-%m-%d %H:%M:%S %z")
        else:
            parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=naive_zone)
    return parsed.astimezone(UTC)


def parse_bool(text: str | None) -> bool | None:
    value = (text or "").strip().lower()
    return True if value in TRUE else False if value in FALSE else None


def norm(text: str | None) -> str:
    return (text or "").strip().lower()


def read_records(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """(header, [(physical line where the record starts, record)])."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        first = handle.readline()
        handle.seek(0)
        if handle.read(1) != "\ufeff":
            handle.seek(0)
        delimiter = ";" if first.count(";") > first.count(",") else ","
        reader = csv.reader(handle, delimiter=delimiter)
        header = next(reader)
        records = []
        line = reader.line_num
        for values in reader:
            records.append((line + 1, dict(zip(header, values, strict=False))))
            line = reader.line_num
    return header, records


@dataclass
class Sale:
    at: datetime
    category: str | None
    qualifies: bool  # paid, not cancelled, our controller
    informed: bool


@dataclass
class Objection:
    opposition_id: str
    scope: str
    at: datetime


@dataclass
class Person:
    sales: list[Sale] = field(default_factory=list)
    objections: list[Objection] = field(default_factory=list)
    consents: list[tuple[datetime, str, str]] = field(default_factory=list)  # (at, channel, status)


class Oracle:
    def __init__(self, landing: Path) -> None:
        self.landing = landing
        self.notices = sorted(
            (
                datetime.combine(date.fromisoformat(row["effective_from"]), datetime.min.time(), ROME),
                row["version"],
                row["has_soft_spam_clause"] == "true",
            )
            for row in _seed("privacy_notices")
        )
        self.clause = {version: has_clause for _, version, has_clause in self.notices}
        self.catalog = {row["sku"]: row["product_category"] for row in _seed("product_catalog")}
        self.promotable: dict[str, set[str]] = defaultdict(set)
        for row in _seed("category_analogies"):
            self.promotable[row["category"]].add(row["analogous_category"])
        self.persons: dict[str, Person] = defaultdict(Person)
        self.sends: dict[tuple[str, str], dict[str, str]] = {}
        self.quarantine: list[tuple[str, int]] = []
        self.snapshots: dict[str, tuple[datetime, set[str]]] = {}  # app -> latest (time, emails)
        for path in sorted(
            p for p in landing.rglob("*.csv") if not p.relative_to(landing).parts[0].startswith("_")
        ):
            self._load(path)

    # -- loading ------------------------------------------------------------------------------

    def _informed_at(self, at: datetime, version: str) -> bool:
        if version:
            return self.clause.get(version, False)
        in_force = [clause for start, _, clause in self.notices if start <= at]
        return bool(in_force) and in_force[-1]

    def _quarantine(self, path: Path, line: int) -> None:
        self.quarantine.append((path.relative_to(self.landing).as_posix(), line))

    def _load(self, path: Path) -> None:
        kind = path.relative_to(self.landing).parts[0]
        header, records = read_records(path)
        if kind == "suppressions":
            self._load_snapshot(path, header, records)
        elif "Lineitem sku" in header:
            self._load_shopify(records)
        elif "UNSUB_TIME" in header:
            for _line, row in records:
                at = parse_time(row["UNSUB_TIME"], naive_zone=UTC)
                # an objection is the member (LEID, else EUID, else the address) at its time
                member = row["LEID"] or row["EUID"] or f"email:{norm(row['Email Address'])}"
                self.persons[norm(row["Email Address"])].objections.append(
                    Objection(f"{member}@{at:%Y-%m-%d %H:%M:%S} UTC", "email_marketing", at)
                )
        else:
            loader = getattr(self, f"_load_{kind}")
            for line, row in records:
                if loader(row) is False:
                    self._quarantine(path, line)

    def _load_sales(self, row: dict[str, str]) -> bool:
        at = parse_time(row["ordered_at"])
        if not row["order_id"] or at is None:
            return False
        person = self.persons[norm(row["email"])]
        paid = parse_bool(row.get("is_paid")) is not False
        controller = norm(row.get("controller")) or CONTROLLER
        qualifies = paid and norm(row.get("status")) != "cancelled" and controller == CONTROLLER
        version = norm(row.get("privacy_notice_version"))
        person.sales.append(
            Sale(at, norm(row["product_category"]), qualifies, self._informed_at(at, version))
        )
        if parse_bool(row.get("soft_spam_opt_out")):
            person.objections.append(Objection(f"refusal:{row['order_id']}", "soft_spam", at))
        return True

    def _load_shopify(self, records: list[tuple[int, dict[str, str]]]) -> None:
        order: dict[str, str] = {}
        for _line, row in records:
            if row["Email"] or row["Created at"]:
                order = row
            at = parse_time(order["Created at"])
            paid = norm(order["Financial Status"]) in PAID_STATUSES and float(order["Total"] or 0) != 0
            qualifies = paid and not order["Cancelled at"].strip()
            person = self.persons[norm(order["Email"])]
            person.sales.append(
                Sale(at, self.catalog.get(row["Lineitem sku"]), qualifies, self._informed_at(at, ""))
            )
            if row is order and parse_bool(order["Accepts Marketing"]):
                person.consents.append((at, "email", "granted"))

    def _load_sends(self, row: dict[str, str]) -> bool:
        if not row["send_id"] or parse_time(row["sent_at"]) is None:
            return False
        self.sends[(row["send_id"], row["source_system"])] = row  # later files win
        return True

    def _load_oppositions(self, row: dict[str, str]) -> bool:
        at = parse_time(row["opposed_at"])
        if not row["opposition_id"] or at is None:
            return False
        scope = norm(row["scope"])
        scope = scope if scope in SCOPES else "all_marketing"
        self.persons[norm(row["email"])].objections.append(Objection(row["opposition_id"], scope, at))
        return True

    def _load_consents(self, row: dict[str, str]) -> bool:
        at = parse_time(row["event_at"])
        if not row["consent_id"] or at is None:
            return False
        person = self.persons[norm(row["email"])]
        channel, status = norm(row["channel"]), norm(row["status"])
        person.consents.append((at, channel, status))
        if status == "withdrawn" and channel in ("email", "all"):  # withdrawal_is_opposition
            scope = "email_marketing" if channel == "email" else "all_marketing"
            person.objections.append(Objection(row["consent_id"], scope, at))
        return True

    def _load_snapshot(
        self, path: Path, header: list[str], records: list[tuple[int, dict[str, str]]]
    ) -> None:
        app = path.relative_to(self.landing).parts[1]
        email_column = "Email Address" if "UNSUB_TIME" in header else "email"
        if "snapshot_taken_at" in header:
            taken = max(parse_time(row["snapshot_taken_at"]) for _, row in records)
        else:
            found = re.search(r"(\d{4})-?(\d{2})-?(\d{2})", path.name)
            taken = datetime(*(int(x) for x in found.groups()), tzinfo=ROME).astimezone(UTC)
        if app not in self.snapshots or taken > self.snapshots[app][0]:
            self.snapshots[app] = (taken, {norm(row[email_column]) for _, row in records})

    # -- judging ------------------------------------------------------------------------------

    def violations(self) -> dict[tuple[str, str], list[str]]:
        return {key: sorted(self.judge(row)) for key, row in self.sends.items()}

    def judge(self, row: dict[str, str]) -> list[str]:
        t = parse_time(row["sent_at"])
        basis, channel, category = (
            norm(row["legal_basis"]),
            norm(row["channel"]),
            norm(row["promoted_category"]),
        )
        person = self.persons.get(norm(row["email"]), Person()) if norm(row["email"]) else Person()
        found = []
        if basis not in ("soft_spam", "consent"):
            found.append("NO_LEGAL_BASIS")
        if basis == "soft_spam" and channel != "email":
            found.append("NON_EMAIL_CHANNEL")
        if parse_bool(row["has_opt_out_link"]) is not True:
            found.append("NO_OPT_OUT_LINK")
        if any(self._blocks(o, person, basis, channel, t) for o in person.objections):
            found.append("SENT_AFTER_OPPOSITION")
        if basis == "consent" and not self._consent_active(person, channel, t):
            found.append("CONSENT_MISSING")
        if basis == "soft_spam" and channel == "email":
            found += self._chain(person, category, t)
        return found

    def _blocks(self, objection: Objection, person: Person, basis: str, channel: str, t: datetime) -> bool:
        covers = self._covers(objection, basis, channel)
        return covers and t >= objection.at and not self._lifted(person, objection, basis, channel, t)

    @staticmethod
    def _covers(objection: Objection, basis: str, channel: str) -> bool:
        if objection.scope == "all_marketing":
            return True
        if objection.scope == "email_marketing":
            return channel == "email"
        return channel == "email" and basis == "soft_spam"

    @staticmethod
    def _lifted(person: Person, objection: Objection, basis: str, channel: str, t: datetime) -> bool:
        return basis == "consent" and any(
            status == "granted" and ch in (channel, "all") and objection.at < at <= t
            for at, ch, status in person.consents
        )

    @staticmethod
    def _consent_active(person: Person, channel: str, t: datetime) -> bool:
        events = [
            (at, status == "withdrawn", status)
            for at, ch, status in person.consents
            if ch in (channel, "all") and at <= t
        ]
        return bool(events) and max(events)[2] == "granted"  # at the same instant the withdrawal sorts last

    def _chain(self, person: Person, category: str, t: datetime) -> list[str]:
        sales = [s for s in person.sales if s.qualifies and s.at <= t]
        if not sales:
            return ["NO_SALE_RELATIONSHIP"]
        sales = [
            s
            for s in sales
            if s.category and (s.category == category or category in self.promotable[s.category])
        ]
        if not sales:
            return ["NOT_ANALOGOUS"]
        sales = [s for s in sales if s.informed]
        if not sales:
            return ["NOT_INFORMED"]
        if max(s.at for s in sales) <= _months_before(t, WINDOW_MONTHS):
            return ["AUTHORIZATION_EXPIRED"]
        return []

    def alignment_gaps(self, applications: dict[str, tuple[str, int]]) -> set[tuple[str, str, str]]:
        """{(application, email, opposition_id)}; ``applications``: app -> (channel, sla hours)."""
        gaps = set()
        for app, (taken, present) in self.snapshots.items():
            channel, sla = applications[app]
            for email, person in self.persons.items():
                if not email or email in present:
                    continue
                owed = [
                    o
                    for o in person.objections
                    if (channel == "email" or o.scope == "all_marketing")
                    and o.at + timedelta(hours=sla) <= taken
                    and not any(
                        s == "granted" and c in (channel, "all") and o.at < a for a, c, s in person.consents
                    )
                ]
                if owed:
                    gaps.add((app, email, min(owed, key=lambda o: o.at).opposition_id))
        return gaps


def _months_before(t: datetime, months: int) -> datetime:
    month_index = t.year * 12 + t.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    last_day = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return t.replace(year=year, month=month, day=min(t.day, last_day))
