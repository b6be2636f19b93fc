"""Run benchmarks/baseline.sql (the lean comparison baseline) over a landing folder.

``python -m benchmarks.baseline LANDING [--as-of TS] [--json OUT]`` prints the violations per rule,
the eligibility counts and the alignment gaps as JSON. Python only lists the files, reads their
header rows (to pick each file's format, and which optional columns a company never exports) and
hashes the suppression snapshots (the same bytes again in one place are one snapshot, as the
warehouse loads them); DuckDB does all the work in one in-memory connection.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
SQL = Path(__file__).with_name("baseline.sql")
SEEDS = (
    "category_analogies",
    "product_categories",
    "privacy_notices",
    "product_catalog",
    "applications",
)
_DATE = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")
# the canonical columns the script reads, per kind (docs/formats.md section 1.5)
READ_COLUMNS = {
    "sales": "order_id line_id email product_category ordered_at is_paid status privacy_notice_version "
    "soft_spam_opt_out controller source_system".split(),
    "sends": "send_id email channel legal_basis promoted_category sent_at has_opt_out_link controller "
    "source_system".split(),
    "consents": "consent_id email channel status event_at source_system".split(),
    "oppositions": "opposition_id email scope opposed_at source_system".split(),
}


def _header(path: Path) -> set[str]:
    with path.open("rb") as handle:
        line = handle.readline().decode("utf-8-sig", errors="replace")
    delimiter = ";" if line.count(";") > line.count(",") else ","
    return {name.strip().strip('"').lower() for name in line.split(delimiter)}


def _files(landing: Path, kind: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"canonical": [], "shopify": [], "mailchimp": []}
    folder = landing / kind
    if not folder.is_dir():
        return found
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
        header = _header(path)
        if {"name", "email", "financial status", "created at", "lineitem sku"} <= header:
            found["shopify"].append(str(path))
        elif {"email address", "unsub_time"} <= header:
            found["mailchimp"].append(str(path))
        else:
            found["canonical"].append(str(path))
    return found


def _list(files: list[str]) -> str:
    return "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"


def _canonical(kind: str, files: list[str]) -> str:
    """The kind's canonical files as one relation; a column that no file has reads as NULL (an
    optional column that a company never exports), no file at all as no rows."""
    present = set().union(*(_header(Path(f)) for f in files))
    nulls = "".join(f", null::varchar as {column}" for column in READ_COLUMNS[kind] if column not in present)
    if not files:
        return f"(select null::varchar as filename{nulls} where false)"
    return f"(select *{nulls} from csv({_list(files)}))"  # noqa: S608


def _seed(landing: Path, name: str) -> str:
    override = landing / "reference" / f"{name}.csv"
    return _list([str(override if override.is_file() else ROOT / "seeds" / f"{name}.csv")])


def build_sql(landing: Path, as_of: str, tz: str = "Europe/Rome", controller: str = "demo_shop_srl") -> str:
    sales = _files(landing, "sales")
    oppositions = _files(landing, "oppositions")
    shopify_sql = shopify_consents_sql = mailchimp_sql = ""
    if sales["shopify"]:
        # order-level fields are written on an order's first row only: carry them down
        shopify_sql = f"""
create table shopify as
    select *, ts(created_at_t, '{tz}') as created, ts(cancelled_at_t, '{tz}') as cancelled from (
        select "Name" as name, "Lineitem sku" as sku,
            coalesce(nullif("Email", ''), first_value(nullif("Email", '')) over w) as email_t,
            coalesce(nullif("Financial Status", ''),
                first_value(nullif("Financial Status", '')) over w) as fin,
            coalesce(nullif("Total", ''), first_value(nullif("Total", '')) over w) as total,
            coalesce(nullif("Accepts Marketing", ''),
                first_value(nullif("Accepts Marketing", '')) over w) as accepts,
            coalesce(nullif("Created at", ''), first_value(nullif("Created at", '')) over w) as created_at_t,
            coalesce(nullif("Cancelled at", ''),
                first_value(nullif("Cancelled at", '')) over w) as cancelled_at_t
        from (select *, row_number() over () as rn from csv({_list(sales["shopify"])}))
        window w as (partition by "Name" order by rn rows between unbounded preceding and current row))
    where nullif(trim(name), '') is not null;
insert into sales select pk(norm(email_t)), c.category, created,
        coalesce(norm(fin) in ('paid', 'partially_paid', 'refunded', 'partially_refunded'), false)
            and coalesce(try_cast(replace(trim(total), ',', '.') as decimal(18, 2)), 0) <> 0
            and cancelled is null,
        false, null, lower('{controller}')
    from shopify left join catalog c on trim(shopify.sku) = c.sku where created is not null;"""  # noqa: S608
        shopify_consents_sql = """
insert into consents select pk(min(norm(email_t))), 'email', true, min(created), 'granted'
    from shopify where coalesce(bool(accepts), false) and created is not null group by name;"""
    if oppositions["mailchimp"]:
        mailchimp_sql = f"""
insert into opps select pk(norm("Email Address")), 'email_marketing', ts("UNSUB_TIME", 'UTC')
    from csv({_list(oppositions["mailchimp"])})
    where ts("UNSUB_TIME", 'UTC') is not null
      and coalesce(nullif(trim("LEID"), ''), nullif(trim("EUID"), ''),
                   nullif(trim("Email Address"), '')) is not null
    qualify row_number() over (partition by coalesce(nullif(trim("LEID"), ''), nullif(trim("EUID"), ''),
        'email:' || norm("Email Address")) order by filename desc) = 1;"""  # noqa: S608
    values = {
        "landing": str(landing),
        "tz": tz,
        "controller": controller,
        "as_of": as_of,
        "grace_hours": "0",
        "window_months": "24",
        "withdrawal_is_opposition": "true",
        "sales_canonical": _canonical("sales", sales["canonical"]),
        "sends_canonical": _canonical("sends", _files(landing, "sends")["canonical"]),
        "consents_canonical": _canonical("consents", _files(landing, "consents")["canonical"]),
        "oppositions_canonical": _canonical("oppositions", oppositions["canonical"]),
        "shopify_sql": shopify_sql,
        "shopify_consents_sql": shopify_consents_sql,
        "mailchimp_oppositions_sql": mailchimp_sql,
        "snapshots_sql": _snapshots_sql(landing, tz),
    }
    values.update({seed: _seed(landing, seed) for seed in SEEDS})
    return SQL.read_text().format(**values)


def _snapshots_sql(landing: Path, tz: str) -> str:
    """One snapshot_files row per snapshot and snapshot_rows of its addresses."""
    files, rows = [], []
    folder = landing / "suppressions"
    for app_dir in sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []:
        app, seen = app_dir.name.lower(), set()
        for path in sorted(p for p in app_dir.rglob("*") if p.is_file() and not p.name.startswith(".")):
            digest = hashlib.sha256(path.read_bytes()).digest()
            if digest in seen:
                continue  # the same bytes again in one place are loaded once (formats.md 1.1)
            seen.add(digest)
            header = _header(path)
            column = '"Email Address"' if "email address" in header else "email"
            taken = "null::timestamptz"
            if "snapshot_taken_at" in header:
                taken = f"(select max(ts(snapshot_taken_at, '{tz}')) from csv({_list([str(path)])}))"  # noqa: S608
            match = _DATE.search(path.name)
            fallback = (
                f"timezone('{tz}', strptime('{''.join(match.groups())}', '%Y%m%d'))"
                if match
                else f"'{datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).isoformat()}'::timestamptz"
            )
            files.append(f"select '{app}' as app, coalesce({taken}, {fallback}) as taken_at")
            rows.append(
                f"select '{app}' as app, (select taken_at from snapshot_files where app = '{app}' "  # noqa: S608
                f"and file = '{path.name}') as taken_at, pk(norm({column})) as p "
                f"from csv({_list([str(path)])})"
            )
            files[-1] = files[-1].replace(" as taken_at", f" as taken_at, '{path.name}' as file")
    if not files:
        return (
            "create table snapshot_files (app varchar, taken_at timestamptz, file varchar);\n"
            "create table snapshot_rows (app varchar, taken_at timestamptz, p varchar);"
        )
    return (
        f"create table snapshot_files as {' union all '.join(files)};\n"
        f"create table snapshot_rows as {' union all '.join(rows)};"
    )


def run(landing: Path, as_of: str) -> dict:
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("set memory_limit = '3GB'")
    con.execute(build_sql(landing, as_of))
    violations = dict(con.execute("select rule_code, n from violation_counts order by 1").fetchall())
    eligibility = con.execute(
        "select count(*), count(*) filter (where on_consent or on_soft_spam), "
        "count(*) filter (where on_soft_spam), count(*) filter (where on_consent) from eligibility"
    ).fetchone()
    gaps = con.execute("select count(*) from gaps").fetchone()[0]
    sends = con.execute("select count(*) from sends").fetchone()[0]
    con.close()
    return {
        "seconds": round(time.perf_counter() - started, 3),
        "sends": sends,
        "violations": violations,
        "eligibility_email_rows": eligibility[0],
        "eligible": eligibility[1],
        "eligible_soft_spam": eligibility[2],
        "eligible_consent": eligibility[3],
        "alignment_gaps": gaps,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("landing", type=Path)
    parser.add_argument("--as-of", default="2026-11-01T00:00:00Z")
    parser.add_argument("--json", type=Path, help="also write the result to this file")
    args = parser.parse_args(argv)
    result = run(args.landing, args.as_of)
    text = json.dumps(result, indent=2, sort_keys=True)
    if args.json:
        args.json.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
