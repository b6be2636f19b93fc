"""Benchmark harness: full build, incremental day and the lean baseline, side by side, per scale.

``python -m benchmarks.run --scale 100000 300000 1000000 [--repeat N] [--out BENCHMARKS.md]``

Per scale: generate the demo once (cached under --workdir), run the real CLI
(``softspam run``) on an empty warehouse in a subprocess, add one day of exports
(benchmarks/incremental_day.py) and run again, then run the baseline (benchmarks/baseline.py)
on the same files (the day included) in a subprocess. Each subprocess is measured by a small
wrapper: wall time, ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` (largest single process) and the
peak of the whole process tree's summed RSS, polled from /proc every 0.2 s. Stages of the full
build come from the run's log (dbt's "Finished running ... in X s" lines for models and tests)
and from the load ledger (first to last file loaded); the rest is Dagster, GX checks, reports.
A measurement shorter than 30 s is repeated (--repeat) and its median reported. The baseline's
violations per rule are compared with marts.violations of the incremental warehouse, and the
incremental warehouse with a full rebuild on the same files (--verify-incremental).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
AS_OF = "2026-11-01T00:00:00Z"
SHORT_SECONDS = 30.0
_FINISHED = re.compile(r"Finished running (.*?) in .*?\(([\d.]+)s\)")


# ------------------------------------------------------------------------------ measurement


def _tree_rss_kb(root: int) -> int:
    """Summed RSS of ``root`` and its descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    return sum(rss.get(pid, 0) for pid in tree)


def measure(command: list[str], log: Path) -> dict:
    """Run ``command`` (output to ``log``); wall seconds, exit code and peak memory."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        peak = 0
        while process.poll() is None:
            peak = max(peak, _tree_rss_kb(process.pid))
            time.sleep(0.2)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "seconds": wall,
        "returncode": process.returncode,
        "tree_peak_mb": peak / 1024,
        # max over every child waited for so far: exact for this run only when it is the largest
        "maxrss_mb": after / 1024 if after > before else None,
    }


def _softspam(landing: Path, warehouse: Path, output: Path) -> list[str]:
    return [
        str(BIN / "softspam"),
        "run",
        "--landing",
        str(landing),
        "--warehouse",
        str(warehouse),
        "--output",
        str(output),
        "--as-of",
        AS_OF,
    ]


def _fresh(*paths: Path) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    for suffix in (".wal", ".tmp"):
        for path in paths:
            sibling = path.with_name(path.name + suffix)
            if sibling.is_dir():
                shutil.rmtree(sibling)
            elif sibling.exists():
                sibling.unlink()


def stages(output: Path, warehouse: Path, started_at: float) -> dict:
    """Per-stage seconds of one run: dbt models and tests from its log, ingestion from the ledger."""
    found: dict[str, float] = {}
    log = output / "logs" / "run.log"
    text = re.sub(r"\x1b\[[0-9;]*m", "", log.read_text(errors="replace")) if log.exists() else ""
    for what, seconds in _FINISHED.findall(text):
        key = "dbt_tests" if "data test" in what else "dbt_models"
        found[key] = found.get(key, 0.0) + float(seconds)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        first, last = con.execute(
            "select epoch(min(loaded_at)), epoch(max(loaded_at)) from raw.load_ledger "
            "where epoch(loaded_at) >= ?",
            [started_at],
        ).fetchone()
    finally:
        con.close()
    if first is not None:
        found["ingestion_first_to_last_file"] = last - first
        found["startup_to_first_file"] = first - started_at
    return found


def run_cli(landing: Path, warehouse: Path, output: Path, log: Path, fresh: bool) -> dict:
    if fresh:
        _fresh(warehouse, output)
    started_at = time.time()
    result = measure(_softspam(landing, warehouse, output), log)
    if result["returncode"] != 0:
        raise SystemExit(f"softspam run failed ({result['returncode']}); see {log}")
    result["stages"] = stages(output, warehouse, started_at)
    return result


def median_of(runs: list[dict]) -> dict:
    """The run with the median wall time (its stages and memory with it), and every wall time."""
    ordered = sorted(runs, key=lambda r: r["seconds"])
    chosen = dict(ordered[len(ordered) // 2])
    chosen["all_seconds"] = [round(r["seconds"], 2) for r in runs]
    chosen["seconds"] = statistics.median(r["seconds"] for r in runs)
    chosen["tree_peak_mb"] = max(r["tree_peak_mb"] for r in runs)
    return chosen


def _repeat(function, repeat: int) -> dict:
    runs = [function()]
    if runs[0]["seconds"] < SHORT_SECONDS:
        runs += [function() for _ in range(max(repeat, 1) - 1)]
    return median_of(runs)


# ----------------------------------------------------------------------------- comparisons


def mart_counts(warehouse: Path) -> dict:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        violations = dict(
            con.execute("select rule_code, count(*) from marts.violations group by 1 order by 1").fetchall()
        )
        eligibility = con.execute(
            "select count(*), count(*) filter (where is_eligible) from marts.audience_eligibility "
            "where channel = 'email'"
        ).fetchone()
        return {
            "violations": violations,
            "sends": con.execute("select count(*) from marts.sends_checked").fetchone()[0],
            "eligibility_email_rows": eligibility[0],
            "eligible": eligibility[1],
            "alignment_gaps": con.execute("select count(*) from marts.alignment_gaps").fetchone()[0],
        }
    finally:
        con.close()


def mart_fingerprint(warehouse: Path) -> dict:
    """Order-independent content hashes of the public marts (incremental == full rebuild?)."""
    tables = ("sends_checked", "violations", "audience_eligibility", "alignment_gaps", "suppression_list")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        found = {}
        for table in tables:
            columns = [
                row[0]
                for row in con.execute(
                    "select column_name from information_schema.columns where table_schema = 'marts' "
                    "and table_name = ? and column_name not in ('evaluated_at') order by ordinal_position",
                    [table],
                ).fetchall()
            ]
            row_hash = "hash(" + ", ".join(f'"{c}"' for c in columns) + ")"
            found[table] = con.execute(
                f"select count(*), sum({row_hash}::hugeint) from marts.{table}"  # noqa: S608
            ).fetchone()
        return {table: [int(v or 0) for v in values] for table, values in found.items()}
    finally:
        con.close()


# --------------------------------------------------------------------------------- one scale


def bench_scale(scale: int, workdir: Path, repeat: int, verify: bool) -> dict:
    base = workdir / f"demo-{scale}"
    demo = base / "landing"
    if not (demo / "_expected").is_dir():
        print(f"[{scale}] generating the demo", flush=True)
        subprocess.run(
            [str(BIN / "softspam"), "demo", "--scale", str(scale), "--out", str(demo)], check=True, cwd=ROOT
        )
    run_dir = base / "run"
    landing = run_dir / "landing"
    if landing.exists():
        shutil.rmtree(landing)
    run_dir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(demo, landing, copy_function=os.link)  # hard links: no copy of the data
    warehouse, output = run_dir / "w.duckdb", run_dir / "out"
    result: dict = {"scale": scale}

    print(f"[{scale}] full build", flush=True)
    result["full"] = _repeat(lambda: run_cli(landing, warehouse, output, run_dir / "full.log", True), repeat)
    # the repeats left the warehouse of a full build: now one more day of exports
    from benchmarks.incremental_day import write_day

    result["day_rows"] = write_day(landing)
    print(f"[{scale}] incremental day {result['day_rows']}", flush=True)
    result["incremental"] = run_cli(landing, warehouse, output, run_dir / "incremental.log", False)
    result["marts"] = mart_counts(warehouse)

    print(f"[{scale}] baseline", flush=True)
    baseline_json = run_dir / "baseline.json"

    def baseline_run() -> dict:
        command = [sys.executable, "-m", "benchmarks.baseline", str(landing), "--as-of", AS_OF]
        measured = measure([*command, "--json", str(baseline_json)], run_dir / "baseline.log")
        if measured["returncode"] != 0:
            raise SystemExit(f"baseline failed; see {run_dir / 'baseline.log'}")
        return measured

    result["baseline"] = _repeat(baseline_run, repeat)
    result["baseline_counts"] = json.loads(baseline_json.read_text())
    if verify:
        print(f"[{scale}] full rebuild with the day, to compare with the incremental run", flush=True)
        rebuild_wh, rebuild_out = run_dir / "rebuild.duckdb", run_dir / "rebuild_out"
        result["rebuild"] = run_cli(landing, rebuild_wh, rebuild_out, run_dir / "rebuild.log", True)
        incremental_fp, rebuild_fp = mart_fingerprint(warehouse), mart_fingerprint(rebuild_wh)
        result["incremental_identical"] = incremental_fp == rebuild_fp
        result["incremental_differs"] = sorted(
            t for t in incremental_fp if incremental_fp[t] != rebuild_fp[t]
        )
        _fresh(rebuild_wh, rebuild_out)
    return result


# -------------------------------------------------------------------------------- reporting


def _rule_differences(result: dict) -> list[str]:
    ours, theirs = result["marts"]["violations"], result["baseline_counts"]["violations"]
    rules = sorted(set(ours) | set(theirs))
    return [
        f"{r}: marts {ours.get(r, 0)} vs baseline {theirs.get(r, 0)}"
        for r in rules
        if ours.get(r) != theirs.get(r)
    ]


def report(results: list[dict], command: str) -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    lines = [
        "# Benchmarks",
        "",
        "Generated by `benchmarks/run.py`; do not edit by hand.",
        "",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {os.cpu_count()} cores ({cpu}), {mem_gb:.0f} GB RAM, {platform.platform()}, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}; shared machine, timings are noisy",
        f"- command: `{command}`",
        "- full: `softspam run` on an empty warehouse (ingestion, dbt build, checks, report, exports), "
        "one subprocess; incremental: the same warehouse plus one more day of exports "
        "(`benchmarks/incremental_day.py`); baseline: `benchmarks/baseline.sql` in one in-memory DuckDB "
        "connection over the same files (day included).",
        "- memory: peak of the summed RSS of the process tree, polled every 0.2 s.",
        "- stages: dbt models / dbt tests from the run log's `Finished running` lines; ingestion from the "
        "load ledger (first to last file's load start, so the last file is not counted); other = the rest "
        "(Python and Dagster start-up, dbt parse, GX suites, asset checks, report and exports).",
        "",
        "| persons | sends | full s | ingestion s | dbt models s | dbt tests s | other s | full peak MB "
        "| baseline s | baseline MB | full / baseline | incremental s | incr / full "
        "| s per 100k persons | MB per 100k persons |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        full, st = r["full"], r["full"]["stages"]
        ingest = st.get("ingestion_first_to_last_file", 0.0)
        other = full["seconds"] - ingest - st.get("dbt_models", 0.0) - st.get("dbt_tests", 0.0)
        per = r["scale"] / 100_000
        lines.append(
            f"| {r['scale']:,} | {r['marts']['sends']:,} | {full['seconds']:.1f} | {ingest:.1f} "
            f"| {st.get('dbt_models', 0):.1f} | {st.get('dbt_tests', 0):.1f} | {other:.1f} "
            f"| {full['tree_peak_mb']:.0f} | {r['baseline']['seconds']:.1f} "
            f"| {r['baseline']['tree_peak_mb']:.0f} "
            f"| {full['seconds'] / r['baseline']['seconds']:.1f}x | {r['incremental']['seconds']:.1f} "
            f"| {r['incremental']['seconds'] / full['seconds']:.0%} | {full['seconds'] / per:.1f} "
            f"| {full['tree_peak_mb'] / per:.0f} |"
        )
    lines += ["", "## Checks", ""]
    for r in results:
        diffs = _rule_differences(r)
        agree = "agree on every rule" if not diffs else "DIFFER: " + "; ".join(diffs)
        lines.append(f"- {r['scale']:,} persons: baseline vs marts.violations {agree}.")
        b, m = r["baseline_counts"], r["marts"]
        lines.append(
            "  eligibility (e-mail rows / eligible): "
            f"marts {m['eligibility_email_rows']:,} / {m['eligible']:,}, "
            f"baseline {b['eligibility_email_rows']:,} / {b['eligible']:,}; alignment gaps: marts "
            f"{m['alignment_gaps']:,}, baseline {b['alignment_gaps']:,}."
        )
        if "incremental_identical" in r:
            verdict = (
                "identical"
                if r["incremental_identical"]
                else f"DIFFERENT ({', '.join(r['incremental_differs'])})"
            )
            lines.append(
                "  incremental run vs full rebuild on the same files "
                f"(rebuild {r['rebuild']['seconds']:.1f} s): "
                f"marts {verdict}."
            )
        lines.append(f"  full-build wall times: {r['full'].get('all_seconds')}; day rows: {r['day_rows']}.")
    if len(results) > 1:
        first, last = results[0], results[-1]
        growth = (last["full"]["seconds"] / first["full"]["seconds"]) / (last["scale"] / first["scale"])
        lines += [
            "",
            f"Growth {first['scale']:,} -> {last['scale']:,} persons: time x"
            f"{last['full']['seconds'] / first['full']['seconds']:.2f} "
            f"for x{last['scale'] / first['scale']:.1f} "
            f"persons (time per person ratio {growth:.2f}; <= 1 is no worse than linear).",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark the full build, the incremental day and the baseline."
    )
    parser.add_argument("--scale", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs of a measurement shorter than 30 s")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/softspam-bench"))
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument(
        "--no-verify-incremental",
        dest="verify",
        action="store_false",
        help="skip the full rebuild that checks the incremental run's results",
    )
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for scale in args.scale:
        results.append(bench_scale(scale, args.workdir, args.repeat, args.verify))
        (args.workdir / "results.json").write_text(json.dumps(results, indent=2, default=str))
        text = report(results, "python -m benchmarks.run " + " ".join(sys.argv[1:] if argv is None else argv))
        args.out.write_text(text)
        print(text, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
