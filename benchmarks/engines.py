"""The same demo through both engines: `softspam run` on DuckDB and on a local Spark, side by side.

``python -m benchmarks.engines --scale 100000 1000000 [--workdir DIR] [--out FILE]``

Per scale: generate the demo once (cached under --workdir, shared with benchmarks.run), run the
CLI on an empty warehouse with ``--engine duckdb`` then ``--engine spark`` (each in a subprocess,
wall time and peak RSS of the process tree as in benchmarks.run), and check that the two give the
same violations per rule. Writes a markdown table (--out) for the README's Spark section.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from benchmarks.run import BIN, _fresh, _softspam, measure


def _demo(scale: int, workdir: Path) -> Path:
    landing = workdir / f"demo-{scale}" / "landing"
    if not landing.is_dir():
        landing.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [str(BIN / "softspam"), "demo", "--scale", str(scale), "--out", str(landing)], check=True
        )
    return landing


def _violations_by_rule(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute("select rule_code, count(*) from marts.violations group by 1").fetchall()
    return dict(sorted(rows))


def bench_scale(scale: int, workdir: Path) -> dict:
    landing = _demo(scale, workdir)
    result: dict = {"scale": scale}
    for engine in ("duckdb", "spark"):
        base = workdir / f"engines-{scale}" / engine
        warehouse, output = base / "softspam.duckdb", base / "output"
        _fresh(warehouse, output, warehouse.with_name("softspam.spark"))
        base.mkdir(parents=True, exist_ok=True)
        command = [*_softspam(landing, warehouse, output), "--engine", engine]
        measured = measure(command, base / "run.log")
        if measured["returncode"] != 0:
            raise SystemExit(f"{engine} at {scale}: exit {measured['returncode']}, see {base / 'run.log'}")
        measured["violations"] = _violations_by_rule(warehouse)
        result[engine] = measured
        print(json.dumps({"scale": scale, "engine": engine, **measured}), flush=True)
    result["agree"] = result["duckdb"]["violations"] == result["spark"]["violations"]
    return result


def report(results: list[dict], command: str) -> str:
    lines = [
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {os.cpu_count()} cores, "
        f"{platform.platform()}; command: `{command}`",
        "",
        "| persons | DuckDB s | DuckDB peak MB | Spark s | Spark peak MB | Spark / DuckDB "
        "| same violations |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        d, s = r["duckdb"], r["spark"]
        agree = "yes" if r["agree"] else "NO"
        lines.append(
            f"| {r['scale']:,} | {d['seconds']:.0f} | {d['tree_peak_mb']:.0f} | {s['seconds']:.0f} | "
            f"{s['tree_peak_mb']:.0f} | {s['seconds'] / d['seconds']:.1f}x | {agree} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, nargs="+", default=[100000])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/softspam-bench"))
    parser.add_argument("--out", type=Path, help="markdown table to write")
    args = parser.parse_args(argv)
    results = [bench_scale(scale, args.workdir) for scale in args.scale]
    command = "python -m benchmarks.engines --scale " + " ".join(str(s) for s in args.scale)
    table = report(results, command)
    print(table)
    if args.out:
        args.out.write_text(table, encoding="utf-8")
    return 0 if all(r["agree"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
