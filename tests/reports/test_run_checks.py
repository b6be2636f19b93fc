from __future__ import annotations

import json
import os
from pathlib import Path

import dagster as dg

from orchestration.reports.run_checks import CheckOutcome, combine, read_test_run_results, summarise_metadata

RUN_RESULTS = {
    "args": {"which": "test"},
    "results": [
        {
            "unique_id": "test.softspam.unique_load_audit_content_sha256.1a2b3c",
            "status": "fail",
            "failures": 2,
        },
        {"unique_id": "test.softspam.no_sale_has_an_unknown_sku", "status": "warn", "failures": 5},
        {"unique_id": "test.softspam.not_null_violations_send_id.9f8e", "status": "pass", "failures": 0},
        {
            "unique_id": "test.softspam.landed_sends_are_all_checked",
            "status": "error",
            "message": "Binder\nError",
        },
        {"unique_id": "unit_test.softspam.violations.a_unit_test", "status": "fail"},
        {"unique_id": "model.softspam.violations", "status": "success"},
    ],
}


def write(path: Path, document: dict) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_failed_data_tests_of_a_dbt_test_invocation(tmp_path: Path) -> None:
    failed = read_test_run_results(write(tmp_path / "run_results.json", RUN_RESULTS))
    assert failed == [
        CheckOutcome("unique_load_audit_content_sha256", "dbt test", "ERROR", "2 failing rows"),
        CheckOutcome("no_sale_has_an_unknown_sku", "dbt test", "WARN", "5 failing rows"),
        CheckOutcome("landed_sends_are_all_checked", "dbt test", "ERROR", "Binder Error"),
    ]


def test_a_build_or_an_older_file_says_nothing_about_the_run(tmp_path: Path) -> None:
    build = write(tmp_path / "build.json", {**RUN_RESULTS, "args": {"which": "build"}})
    assert read_test_run_results(build) == []
    older = write(tmp_path / "older.json", RUN_RESULTS)
    os.utime(older, (1_000_000, 1_000_000))
    assert read_test_run_results(older, not_before=2_000_000) == []
    assert read_test_run_results(tmp_path / "absent.json") == []


def test_a_dbt_test_that_is_an_asset_check_is_named_once_errors_first() -> None:
    checks = combine(
        evaluated=3,
        failed=[
            CheckOutcome("rule_no_opt_out_link", "marts/violations", "WARN"),
            CheckOutcome("no_sale_has_an_unknown_sku", "marts/data_quality_findings", "WARN"),
        ],
        dbt_failed=[
            CheckOutcome("no_sale_has_an_unknown_sku", "dbt test", "WARN"),
            CheckOutcome("landed_sends_are_all_checked", "dbt test", "ERROR"),
        ],
        not_evaluated=["reconciliation"],
    )
    assert [check.name for check in checks.failed] == [
        "landed_sends_are_all_checked",
        "no_sale_has_an_unknown_sku",
        "rule_no_opt_out_link",
    ]
    assert checks.not_evaluated == ["reconciliation"]


def test_metadata_summary_keeps_counts_only() -> None:
    metadata = {
        "rule_code": "NO_OPT_OUT_LINK",
        "violations": dg.MetadataValue.int(1234),
        "dagster_dbt/execution_duration": dg.MetadataValue.float(0.5),
        "dagster_dbt/failed_row_count": 2,
    }
    assert summarise_metadata(metadata) == "violations 1,234, failed row count 2"
