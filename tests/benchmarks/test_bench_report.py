"""The benchmark harness's own arithmetic: a run's time split into stages, and BENCHMARKS.md with one
table per shape and the shapes' ratios side by side."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.run import STAGES, report, stages

STEPS = {
    "raw__sales": 6.0,
    "raw__sends": 9.0,
    "raw__load_ledger": 1.0,
    "softspam_dbt": 30.0,
    "violation_rule_checks": 0.5,
    "marts__sends_checked_reconciliation": 1.5,
    "reports__compliance_outputs": 2.0,
    "reports__dbt_docs": 3.0,
    "published__marts_copy": 0.5,
}


def test_stages_from_the_steps_and_the_dbt_log(tmp_path: Path) -> None:
    (tmp_path / "out" / "logs").mkdir(parents=True)
    (tmp_path / "out" / "logs" / "run.log").write_text(
        "Finished running 3 incremental models, 6 seeds, 17 table models in 0 hours 0 minutes (12.50s).\n"
        "Finished running 1 project hook, 237 data tests in 0 hours 0 minutes and 8.00 seconds (8.00s).\n"
    )
    timing = tmp_path / "full.stages.json"
    timing.write_text(json.dumps({"steps": STEPS, "gx": 4.0, "pipeline": 60.0, "process": 62.0}))
    found = stages(tmp_path / "out", timing, wall_seconds=70.0)
    assert {stage: found[stage] for stage in STAGES} == {
        "ingestion": 12.0,
        "gx": 4.0,
        "dbt_models": 12.5,
        "dbt_tests": 8.0,
        "dbt_other": 9.5,
        "checks": 2.0,
        "report": 2.0,
        "docs": 3.0,
        "publish": 0.5,
    }
    assert found["other"] == 70.0 - sum(STEPS.values())


def _result(shape: str, full: float, baseline: float, differ: bool = False) -> dict:
    split = dict.fromkeys((*STAGES, "other"), 1.0)
    violations = {"NOT_ANALOGOUS": 10, "NO_OPT_OUT_LINK": 2}
    counts = {"eligibility_email_rows": 120, "eligible": 40, "alignment_gaps": 3}
    return {
        "shape": shape,
        "scale": 20_000,
        "full": {"seconds": full, "tree_peak_mb": 900.0, "stages": split, "all_seconds": [full]},
        "incremental": {"seconds": full / 4, "stages": split},
        "baseline": {"seconds": baseline, "tree_peak_mb": 300.0},
        "marts": {"sends": 100, "files": 94, "violations": violations, **counts},
        "baseline_counts": {"violations": {**violations, "NOT_ANALOGOUS": 11 if differ else 10}, **counts},
        "day_rows": {"sends": 10},
    }


def test_one_table_per_shape_and_the_ratios_side_by_side() -> None:
    text = report([_result("demo", 40.0, 10.0), _result("company_b", 90.0, 15.0, differ=True)], "cmd")
    assert "## Side by side" in text and "## demo" in text and "## company_b" in text
    side = text.split("## Side by side", 1)[1].split("## demo", 1)[0]
    assert "demo full / baseline" in side and "company_b full / baseline" in side
    assert "| 20,000 | 40.0 | 4.0x | 25% | 900 | 90.0 | 6.0x | 25% | 900 |" in side
    demo, company_b = text.split("## demo", 1)[1].split("## company_b", 1)
    assert "agree on every rule" in demo
    assert "DIFFER: NOT_ANALOGOUS: marts 10 vs baseline 11" in company_b
