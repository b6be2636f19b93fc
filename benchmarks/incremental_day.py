"""One more day of exports for a benchmark landing folder: the benchmark's incremental run.

``python -m benchmarks.incremental_day LANDING [--shape demo|company_b] [--day 2026-10-31]
[--fraction 0.002]`` writes, next to the company's files, one new file per export (sends,
sales, oppositions, consents) dated ``--day``: new sends (``fraction`` of the sends already
landed) to persons the company already knows, a few new sales, oppositions and consent events.
What the day holds is drawn here, the same for every company; how its systems write it (file
names, columns, time and boolean forms, which application sends) is the company's ``DayShape``.
Same landing folder and arguments, same bytes. Only new files are written.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import duckdb

SEED = 20261031


class Send(NamedTuple):
    send_id: str
    campaign_id: str
    channel: str
    email: str
    category: str
    basis: str
    at: datetime
    opt_out: bool
    source: str


class Sale(NamedTuple):
    order_id: str
    email: str
    category: str
    at: datetime
    status: str
    refused: bool
    source: str


class Opposition(NamedTuple):
    opposition_id: str
    email: str
    scope: str
    at: datetime
    source: str


class Consent(NamedTuple):
    consent_id: str
    email: str
    channel: str
    status: str
    at: datetime
    source: str


# kind -> the day's records of that kind
DayRecords = Mapping[str, Sequence[NamedTuple]]


@dataclass(frozen=True)
class DayShape:
    """A company's vocabulary for the day, and how its systems write the day's files."""

    categories: tuple[str, ...]
    buyers_glob: str  # files under sales/ whose buyers the day's rows address
    senders: Mapping[str, str]  # channel ('email', 'sms') -> sending application
    sale_source: str
    opposition_source: str
    consent_source: str
    write: Callable[[Path, str, DayRecords], None]  # (landing, day, records)


def _count_rows(landing: Path, kind: str) -> int:
    """Data rows already in landing/<kind>/ (a line count: cheap and deterministic)."""
    total = 0
    for path in sorted((landing / kind).glob("*.csv")):
        with path.open("rb") as handle:
            total += sum(chunk.count(b"\n") for chunk in iter(lambda h=handle: h.read(1 << 24), b"")) - 1
    return max(total, 0)


def _known_addresses(landing: Path, glob: str, limit: int) -> list[str]:
    """Addresses of the company's buyers, normalized, in a deterministic pseudo-random order."""
    files = sorted(str(p) for p in (landing / "sales").glob(glob))
    if not files:
        return [f"new.person.{i}@example.org" for i in range(limit)]
    con = duckdb.connect()
    try:
        rows = con.execute(
            """select email from (
                   select distinct lower(trim(email)) as email
                   from read_csv(?, header = true, all_varchar = true, union_by_name = true)
                   where nullif(trim(email), '') is not null)
               order by hash(email), email limit ?""",
            [files, limit],
        ).fetchall()
    finally:
        con.close()
    return [row[0] for row in rows]


def day_records(landing: Path, shape: DayShape, day: str, fraction: float) -> dict[str, list]:
    """The day's sends, sales, oppositions and consents, drawn for ``shape``'s company."""
    rng = random.Random(f"{SEED}:{day}")
    start = datetime.fromisoformat(day).replace(tzinfo=UTC)
    sends_n = max(10, round(_count_rows(landing, "sends") * fraction))
    sales_n = max(3, round(_count_rows(landing, "sales") * fraction))
    people = _known_addresses(landing, shape.buyers_glob, max(sends_n, 50))
    stamp = day.replace("-", "")

    def at(minutes_max: int = 22 * 60) -> datetime:
        return start + timedelta(minutes=rng.randrange(6 * 60, minutes_max), seconds=rng.randrange(60))

    sends = []
    for i in range(sends_n):
        email = people[i % len(people)]
        channel = "email" if rng.random() < 0.85 else "sms"
        basis = "soft_spam" if channel == "email" and rng.random() < 0.6 else "consent"
        category = rng.choice(shape.categories)
        sends.append(
            Send(
                f"DAY{stamp}-{i + 1:08d}",
                f"DAY-{day}-{category}",
                channel,
                email,
                category,
                basis,
                at(),
                rng.random() < 0.98,
                shape.senders[channel],
            )
        )
    sales = []
    for i in range(sales_n):
        category = rng.choice(shape.categories)
        email, moment = people[rng.randrange(len(people))], at(12 * 60)
        status = "completed" if rng.random() < 0.95 else "cancelled"
        sales.append(
            Sale(
                f"DAY{stamp}-O{i + 1:07d}",
                email,
                category,
                moment,
                status,
                rng.random() < 0.03,
                shape.sale_source,
            )
        )
    oppositions = []
    for i in range(max(3, sales_n // 4)):
        moment = at(12 * 60)
        email = people[rng.randrange(len(people))]
        scope = rng.choice(("soft_spam", "email_marketing", "all_marketing"))
        oppositions.append(
            Opposition(f"OPP-DAY{stamp}-{i + 1:06d}", email, scope, moment, shape.opposition_source)
        )
    consents = []
    for i in range(max(3, sales_n // 2)):
        email = people[rng.randrange(len(people))]
        channel = rng.choice(("email", "sms", "email", "all"))
        status = "granted" if rng.random() < 0.8 else "withdrawn"
        consents.append(
            Consent(f"CONS-DAY{stamp}-{i + 1:06d}", email, channel, status, at(12 * 60), shape.consent_source)
        )
    return {"sends": sends, "sales": sales, "oppositions": oppositions, "consents": consents}


def write_day(
    landing: Path, day: str = "2026-10-31", fraction: float = 0.002, shape: DayShape | None = None
) -> dict[str, int]:
    """Write the extra day's files into ``landing`` (default: the demo's); rows written per kind."""
    shape = DEMO_DAY if shape is None else shape
    records = day_records(landing, shape, day, fraction)
    shape.write(landing, day, records)
    return {kind: len(rows) for kind, rows in records.items()}


# ------------------------------------------------------------------------------- the demo


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _write_demo_day(landing: Path, day: str, records: DayRecords) -> None:
    from orchestration.demo.formats import CONSENTS_COLUMNS, OPPOSITIONS_COLUMNS, SALES_COLUMNS, SENDS_COLUMNS

    rows = {
        "sends": (
            SENDS_COLUMNS,
            [
                [s.send_id, s.campaign_id, s.channel, s.email, s.category, s.basis, _utc(s.at)]
                + [_flag(s.opt_out), "demo_shop_srl", s.source]
                for s in records["sends"]
            ],
        ),
        "sales": (
            SALES_COLUMNS,
            [
                [s.order_id, "1", s.email, s.category, _utc(s.at), "true", s.status, "", _flag(s.refused)]
                + ["", "", "", "49.90", s.source]
                for s in records["sales"]
            ],
        ),
        "oppositions": (
            OPPOSITIONS_COLUMNS,
            [
                [o.opposition_id, o.email, o.scope, _utc(o.at), _utc(o.at), "unsubscribe_link", o.source]
                for o in records["oppositions"]
            ],
        ),
        "consents": (
            CONSENTS_COLUMNS,
            [
                [c.consent_id, c.email, c.channel, c.status, _utc(c.at), f"form:{c.consent_id}", c.source]
                for c in records["consents"]
            ],
        ),
    }
    for kind, (header, values) in rows.items():
        (landing / kind).mkdir(parents=True, exist_ok=True)
        with (landing / kind / f"day_{day}_{kind}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(values)


DEMO_DAY = DayShape(
    categories=("audio", "books", "computers", "fashion", "kitchen", "smartphones", "beauty"),
    buyers_glob="ecommerce_orders_*.csv",
    senders={"email": "mailchimp", "sms": "sms_gateway"},
    sale_source="ecommerce",
    opposition_source="crm",
    consent_source="preference_center",
    write=_write_demo_day,
)


def main(argv: list[str] | None = None) -> int:
    from benchmarks.shapes.registry import SHAPES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("landing", type=Path)
    parser.add_argument("--shape", choices=sorted(SHAPES), default="demo")
    parser.add_argument("--day", default="2026-10-31")
    parser.add_argument("--fraction", type=float, default=0.002)
    args = parser.parse_args(argv)
    written = write_day(args.landing, args.day, args.fraction, SHAPES[args.shape].day)
    print(", ".join(f"{kind}: {n}" for kind, n in written.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
