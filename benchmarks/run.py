"""Benchmark harness: full build, incremental day and the lean baseline, per company shape and scale.

``python -m benchmarks.run --scale 100000 300000 1000000 [--shape demo|company_b|both ...]
[--repeat N] [--out BENCHMARKS.md]``

Per shape (benchmarks/shapes/registry.py: the demo company, and company B with exports shaped as
issue 17 found real ones) and scale: generate the landing folder once (cached under --workdir),
run the real CLI (``softspam run``, through benchmarks/timed_run.py, which times its Dagster
steps) on an empty warehouse in a subprocess, add one day of that company's exports
(benchmarks/incremental_day.py) and run again, then run the baseline (benchmarks/baseline.py)
on the same files (the day included) in a subprocess. Each subprocess is measured by a small
wrapper: wall time, ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` (largest single process) and the
peak of the whole process tree's summed RSS, polled from /proc every 0.2 s. Stages of a run:
ingestion, Great Expectations, checks, report, docs and the published copy from its Dagster
steps' durations; dbt models and dbt tests from dbt's "Finished running ... in X s" lines, the
rest of the dbt step as dbt's own overhead; "other" is the wall time outside every step.
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

from benchmarks.incremental_day import write_day
from benchmarks.shapes.registry import SHAPES, Shape

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


def _timed_softspam(landing: Path, warehouse: Path, output: Path, stages_json: Path) -> list[str]:
    """``softspam run`` with the same arguments, its Dagster steps timed (benchmarks/timed_run.py)."""
    return [
        sys.executable,
        "-m",
        "benchmarks.timed_run",
        str(stages_json),
        *_softspam(landing, warehouse, output)[2:],
    ]


def _fresh(*paths: Path) -> None:
    for path in paths:
        # the file or folder, DuckDB's WAL and temporary files, the copy published for readers
        for found in (
            path,
            path.with_name(path.name + ".wal"),
            path.with_name(path.name + ".tmp"),
            path.with_suffix(".published"),
        ):
            if found.is_dir():
                shutil.rmtree(found)
            elif found.exists():
                found.unlink()


# Dagster step key -> stage; checks are recognised by name, everything else not listed is "other"
STEP_STAGES = (
    ("raw__", "ingestion"),
    ("reports__dbt_docs", "docs"),
    ("reports__", "report"),
    ("published__", "publish"),
    ("softspam_dbt", "dbt"),
)
STAGES = ("ingestion", "gx", "dbt_models", "dbt_tests", "dbt_other", "checks", "report", "docs", "publish")


def _step_stage(step: str) -> str:
    if "check" in step or "reconciliation" in step:
        return "checks"
    return next((stage for prefix, stage in STEP_STAGES if step.startswith(prefix)), "other_steps")


def stages(output: Path, stages_json: Path, wall_seconds: float) -> dict:
    """Seconds per stage of one run (STAGES, and "other": the wall time outside them)."""
    found = dict.fromkeys(STAGES, 0.0)
    log = output / "logs" / "run.log"
    text = re.sub(r"\x1b\[[0-9;]*m", "", log.read_text(errors="replace")) if log.exists() else ""
    for what, seconds in _FINISHED.findall(text):
        found["dbt_tests" if "data test" in what else "dbt_models"] += float(seconds)
    timing = json.loads(stages_json.read_text())
    by_stage: dict[str, float] = {}
    for step, seconds in timing["steps"].items():
        stage = _step_stage(step)
        by_stage[stage] = by_stage.get(stage, 0.0) + seconds
    # GX runs inside the ingestion steps, dbt's models and tests inside the dbt step
    found["gx"] = timing["gx"]
    found["ingestion"] = by_stage.get("ingestion", 0.0) - timing["gx"]
    found["dbt_other"] = max(by_stage.get("dbt", 0.0) - found["dbt_models"] - found["dbt_tests"], 0.0)
    for stage in ("checks", "report", "docs", "publish"):
        found[stage] = by_stage.get(stage, 0.0)
    found["other"] = wall_seconds - sum(found[stage] for stage in STAGES)
    found["steps"] = timing["steps"]
    return found


def run_cli(landing: Path, warehouse: Path, output: Path, log: Path, fresh: bool) -> dict:
    if fresh:
        _fresh(warehouse, output)
    stages_json = log.with_suffix(".stages.json")
    result = measure(_timed_softspam(landing, warehouse, output, stages_json), log)
    if result["returncode"] != 0:
        raise SystemExit(f"softspam run failed ({result['returncode']}); see {log}")
    result["stages"] = stages(output, stages_json, result["seconds"])
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
            "files": con.execute("select count(*) from marts.load_audit").fetchone()[0],
            "rows_quarantined": con.execute(
                "select coalesce(sum(rows_quarantined), 0) from marts.load_audit"
            ).fetchone()[0],
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


def _landing(shape: Shape, scale: int, workdir: Path) -> tuple[Path, Path]:
    """(the run's folder, its landing folder): a fresh hard-linked copy of the cached generation,
    so that the day's files never land in the cache."""
    base = workdir / f"{shape.name}-{scale}"
    generated = base / "landing"
    if not shape.is_generated(generated, scale):
        print(f"[{shape.name} {scale}] generating the landing folder", flush=True)
        shape.generate(generated, scale)
    run_dir = base / "run"
    landing = run_dir / "landing"
    if landing.exists():
        shutil.rmtree(landing)
    run_dir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(generated, landing, copy_function=os.link)  # hard links: no copy of the data
    return run_dir, landing


def bench_scale(shape: Shape, scale: int, workdir: Path, repeat: int, verify: bool) -> dict:
    run_dir, landing = _landing(shape, scale, workdir)
    warehouse, output = run_dir / "w.duckdb", run_dir / "out"
    result: dict = {"shape": shape.name, "scale": scale}
    tag = f"[{shape.name} {scale}]"

    print(f"{tag} full build", flush=True)
    result["full"] = _repeat(lambda: run_cli(landing, warehouse, output, run_dir / "full.log", True), repeat)
    # the repeats left the warehouse of a full build: now one more day of exports
    result["day_rows"] = write_day(landing, shape=shape.day)
    print(f"{tag} incremental day {result['day_rows']}", flush=True)
    result["incremental"] = run_cli(landing, warehouse, output, run_dir / "incremental.log", False)
    result["marts"] = mart_counts(warehouse)

    print(f"{tag} baseline", flush=True)
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
        print(f"{tag} full rebuild with the day, to compare with the incremental run", flush=True)
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


def _machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem_gb:.0f} GB RAM, {platform.platform()}, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}; shared machine, timings are noisy"
    )


def _ratio(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.1f}x" if denominator else "-"


def _side_by_side(results: list[dict], shapes: list[str]) -> list[str]:
    """One row per scale, each shape's totals and ratios next to the other's."""
    by_key = {(r["shape"], r["scale"]): r for r in results}
    header = ["persons"]
    for name in shapes:
        header += [f"{name} full s", f"{name} full / baseline", f"{name} incr / full", f"{name} peak MB"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for scale in sorted({r["scale"] for r in results}):
        cells = [f"{scale:,}"]
        for name in shapes:
            r = by_key.get((name, scale))
            if r is None:
                cells += ["-"] * 4
                continue
            full = r["full"]["seconds"]
            cells += [
                f"{full:.1f}",
                _ratio(full, r["baseline"]["seconds"]),
                f"{r['incremental']['seconds'] / full:.0%}",
                f"{r['full']['tree_peak_mb']:.0f}",
            ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


STAGE_HEADERS = (
    "ingestion s",
    "GX s",
    "dbt models s",
    "dbt tests s",
    "dbt other s",
    "checks s",
    "report s",
    "docs s",
    "publish s",
    "other s",
)


def _shape_table(results: list[dict]) -> list[str]:
    header = (
        "persons",
        "sends",
        "files",
        "full s",
        *STAGE_HEADERS,
        "full peak MB",
        "baseline s",
        "baseline MB",
        "full / baseline",
        "incremental s",
        "incr / full",
        "s per 100k persons",
        "MB per 100k persons",
    )
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in results:
        full, st = r["full"], r["full"]["stages"]
        per = r["scale"] / 100_000
        cells = [
            f"{r['scale']:,}",
            f"{r['marts']['sends']:,}",
            f"{r['marts']['files']:,}",
            f"{full['seconds']:.1f}",
        ]
        cells += [f"{st[stage]:.1f}" for stage in (*STAGES, "other")]
        cells += [
            f"{full['tree_peak_mb']:.0f}",
            f"{r['baseline']['seconds']:.1f}",
            f"{r['baseline']['tree_peak_mb']:.0f}",
            _ratio(full["seconds"], r["baseline"]["seconds"]),
            f"{r['incremental']['seconds']:.1f}",
            f"{r['incremental']['seconds'] / full['seconds']:.0%}",
            f"{full['seconds'] / per:.1f}",
            f"{full['tree_peak_mb'] / per:.0f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _checks(results: list[dict]) -> list[str]:
    lines = []
    for r in results:
        diffs = _rule_differences(r)
        agree = "agree on every rule" if not diffs else "DIFFER: " + "; ".join(diffs)
        lines.append(f"- {r['scale']:,} persons: baseline vs marts.violations {agree}.")
        b, m = r["baseline_counts"], r["marts"]
        violations = sum(m["violations"].values())
        lines.append(
            "  eligibility (e-mail rows / eligible): "
            f"marts {m['eligibility_email_rows']:,} / {m['eligible']:,}, "
            f"baseline {b['eligibility_email_rows']:,} / {b['eligible']:,}; alignment gaps: marts "
            f"{m['alignment_gaps']:,}, baseline {b['alignment_gaps']:,}; violations: "
            f"{violations:,} ({violations / max(m['sends'], 1):.0%} of the sends)."
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
        inc = r["incremental"]["stages"]
        spent = ", ".join(
            f"{name[:-2]} {inc[stage]:.1f}"
            for name, stage in zip(STAGE_HEADERS, (*STAGES, "other"), strict=True)
        )
        lines.append(f"  incremental day's stages (s): {spent}.")
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
    return lines


SHAPE_TITLES = {
    "demo": "the demo company (`softspam demo`)",
    "company_b": "company B (`benchmarks/shapes/company_b.py`: quarterly files, till receipts in another "
    "layout, local and Italian times, padded addresses, its own reference data)",
}


def report(results: list[dict], command: str) -> str:
    shapes = [name for name in SHAPES if any(r["shape"] == name for r in results)]
    lines = [
        "# Benchmarks",
        "",
        "Generated by `benchmarks/run.py`; do not edit by hand.",
        "",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {_machine()}",
        f"- command: `{command}`",
        "- shapes: " + "; ".join(f"`{name}`, {SHAPE_TITLES.get(name, name)}" for name in shapes) + ".",
        "- full: `softspam run` on an empty warehouse (ingestion, dbt build, checks, report, exports), "
        "one subprocess; incremental: the same warehouse plus one more day of that company's exports "
        "(`benchmarks/incremental_day.py`); baseline: `benchmarks/baseline.sql` in one in-memory DuckDB "
        "connection over the same files (day included).",
        "- memory: peak of the summed RSS of the process tree, polled every 0.2 s.",
        "- stages: each Dagster step's duration (`benchmarks/timed_run.py`): ingestion = the landing steps "
        "less Great Expectations (GX, timed inside them); dbt models / dbt tests from the run log's "
        "`Finished running` lines, dbt other = the rest of the dbt step (dbt start-up and parse per "
        "invocation, seeds' and hooks' overhead, event streaming); checks = the asset-check steps; report = "
        "report and exports; docs = the dbt docs site; publish = the copy published for readers; other = "
        "the wall time outside every step (Python start-up and imports, loading the Dagster definitions "
        "with dbt's manifest, Dagster's orchestration, the run summary).",
        "",
        "## Side by side",
        "",
        *_side_by_side(results, shapes),
    ]
    for name in shapes:
        mine = [r for r in results if r["shape"] == name]
        lines += ["", f"## {name}", "", *_shape_table(mine), "", "Checks:", "", *_checks(mine)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark the full build, the incremental day and the baseline."
    )
    parser.add_argument("--scale", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    parser.add_argument(
        "--shape",
        nargs="+",
        choices=[*SHAPES, "both"],
        default=["both"],
        help="which companies to benchmark (both: every shape), side by side in one report",
    )
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
    shapes = list(SHAPES) if "both" in args.shape else [name for name in SHAPES if name in args.shape]
    args.workdir.mkdir(parents=True, exist_ok=True)
    command = "python -m benchmarks.run " + " ".join(sys.argv[1:] if argv is None else argv)
    results = []
    for scale in args.scale:
        for name in shapes:
            results.append(bench_scale(SHAPES[name], scale, args.workdir, args.repeat, args.verify))
            (args.workdir / "results.json").write_text(json.dumps(results, indent=2, default=str))
            text = report(results, command)
            args.out.write_text(text)
            print(text, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
