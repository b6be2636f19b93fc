"""One more day of exports for a demo landing folder: the benchmark's incremental run.

``python -m benchmarks.incremental_day LANDING [--day 2026-10-31] [--fraction 0.002]`` writes, next to
the demo's files, one new file per kind (sends, sales, oppositions, consents) dated ``--day``:
new sends (``fraction`` of the sends already landed) to persons the demo already knows, a few
new sales, oppositions and consent events. Same landing folder and arguments, same bytes. Only
new files are written; the demo's files are never touched.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from orchestration.demo.formats import CONSENTS_COLUMNS, OPPOSITIONS_COLUMNS, SALES_COLUMNS, SENDS_COLUMNS

SEED = 20261031
CATEGORIES = ("audio", "books", "computers", "fashion", "kitchen", "smartphones", "beauty")


def _count_rows(landing: Path, kind: str) -> int:
    """Data rows already in landing/<kind>/ (a line count: cheap and deterministic)."""
    total = 0
    for path in sorted((landing / kind).glob("*.csv")):
        with path.open("rb") as handle:
            total += sum(chunk.count(b"\n") for chunk in iter(lambda h=handle: h.read(1 << 24), b"")) - 1
    return max(total, 0)


def _known_addresses(landing: Path, limit: int) -> list[str]:
    """Addresses of the demo's e-commerce buyers, in a deterministic pseudo-random order."""
    files = sorted(str(p) for p in (landing / "sales").glob("ecommerce_orders_*.csv"))
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


def _write(path: Path, header: Sequence[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_day(landing: Path, day: str = "2026-10-31", fraction: float = 0.002) -> dict[str, int]:
    """Write the extra day's files into ``landing``; return rows written per kind."""
    rng = random.Random(f"{SEED}:{day}")
    start = datetime.fromisoformat(day).replace(tzinfo=UTC)
    sends_n = max(10, round(_count_rows(landing, "sends") * fraction))
    sales_n = max(3, round(_count_rows(landing, "sales") * fraction))
    people = _known_addresses(landing, max(sends_n, 50))
    stamp = day.replace("-", "")

    def at(minutes_max: int = 22 * 60) -> str:
        moment = start + timedelta(minutes=rng.randrange(6 * 60, minutes_max), seconds=rng.randrange(60))
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    sends = []
    for i in range(sends_n):
        email = people[i % len(people)]
        channel = "email" if rng.random() < 0.85 else "sms"
        basis = "soft_spam" if channel == "email" and rng.random() < 0.6 else "consent"
        category = rng.choice(CATEGORIES)
        source = "mailchimp" if channel == "email" else "sms_gateway"
        sends.append(
            [
                f"DAY{stamp}-{i + 1:08d}",
                f"DAY-{day}-{category}",
                channel,
                email,
                category,
                basis,
                at(),
                "true" if rng.random() < 0.98 else "false",
                "demo_shop_srl",
                source,
            ]
        )
    sales = []
    for i in range(sales_n):
        category = rng.choice(CATEGORIES)
        sales.append(
            [
                f"DAY{stamp}-O{i + 1:07d}",
                "1",
                people[rng.randrange(len(people))],
                category,
                at(12 * 60),
                "true",
                "completed" if rng.random() < 0.95 else "cancelled",
                "",
                "true" if rng.random() < 0.03 else "false",
                "",
                "",
                "",
                "49.90",
                "ecommerce",
            ]
        )
    oppositions = []
    for i in range(max(3, sales_n // 4)):
        moment = at(12 * 60)
        oppositions.append(
            [
                f"OPP-DAY{stamp}-{i + 1:06d}",
                people[rng.randrange(len(people))],
                rng.choice(("soft_spam", "email_marketing", "all_marketing")),
                moment,
                moment,
                "unsubscribe_link",
                "crm",
            ]
        )
    consents = []
    for i in range(max(3, sales_n // 2)):
        consents.append(
            [
                f"CONS-DAY{stamp}-{i + 1:06d}",
                people[rng.randrange(len(people))],
                rng.choice(("email", "sms", "email", "all")),
                "granted" if rng.random() < 0.8 else "withdrawn",
                at(12 * 60),
                f"form:CONS-DAY{stamp}-{i + 1:06d}",
                "preference_center",
            ]
        )
    files = {
        "sends": (SENDS_COLUMNS, sends),
        "sales": (SALES_COLUMNS, sales),
        "oppositions": (OPPOSITIONS_COLUMNS, oppositions),
        "consents": (CONSENTS_COLUMNS, consents),
    }
    for kind, (header, rows) in files.items():
        (landing / kind).mkdir(parents=True, exist_ok=True)
        _write(landing / kind / f"day_{day}_{kind}.csv", header, rows)
    return {kind: len(rows) for kind, (_, rows) in files.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("landing", type=Path)
    parser.add_argument("--day", default="2026-10-31")
    parser.add_argument("--fraction", type=float, default=0.002)
    args = parser.parse_args(argv)
    written = write_day(args.landing, args.day, args.fraction)
    print(", ".join(f"{kind}: {n}" for kind, n in written.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
