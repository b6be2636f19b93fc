"""orchestration/test_scope.py: when a build's data tests may read only what it changed."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from orchestration import test_scope

FINGERPRINT = "code-and-policy"


def _warehouse(path: Path, through: int, loads: int | None = None) -> Path:
    """The two stamped models built through load ``through``, and a ledger of ``loads`` loads."""
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema if not exists intermediate; create schema if not exists raw")
        for table in ("int_sends_evaluated", "int_audience_eligibility"):
            connection.execute(
                f"create or replace table intermediate.{table} as "
                f"select {through} as evaluated_through_load_id"
            )
        connection.execute(
            "create or replace table raw.load_ledger as "
            "select load_id, 'file_' || load_id || '.csv' as relative_path from range(1, ?) as t(load_id)",
            [(loads or through) + 1],
        )
    return path


def _results(target: Path, statuses: dict[str, str]) -> None:
    target.mkdir(parents=True, exist_ok=True)
    results = [{"unique_id": unique_id, "status": status} for unique_id, status in statuses.items()]
    (target / "run_results.json").write_text(json.dumps({"results": results}))


def test_only_the_tests_that_passed_on_that_very_build_are_scoped(tmp_path: Path) -> None:
    warehouse, target = _warehouse(tmp_path / "w.duckdb", through=4), tmp_path / "target"
    _results(target, {"test.p.a": "pass", "test.p.b": "warn", "test.p.c": "fail", "model.p.m": "success"})
    test_scope.record(target, warehouse, FINGERPRINT)

    before = test_scope.warehouse_state(warehouse)
    assert test_scope.allowed_scope(target, before, FINGERPRINT) == {
        "after_load_id": 4,
        "passed": ["test.p.a"],
    }
    # other code or policy: every test reads every row
    assert test_scope.allowed_scope(target, before, "other") is None
    # the warehouse was built again since (another load), or rebuilt with another ledger
    assert (
        test_scope.allowed_scope(target, test_scope.warehouse_state(_warehouse(warehouse, 5)), FINGERPRINT)
        is None
    )
    with duckdb.connect(str(warehouse)) as connection:
        for table in ("int_sends_evaluated", "int_audience_eligibility"):
            connection.execute(f"update intermediate.{table} set evaluated_through_load_id = 4")  # noqa: S608
        connection.execute("update raw.load_ledger set relative_path = 'another.csv' where load_id = 2")
    assert test_scope.warehouse_state(warehouse)[0] == 4
    assert test_scope.allowed_scope(target, test_scope.warehouse_state(warehouse), FINGERPRINT) is None


def test_without_test_results_the_next_build_tests_every_row(tmp_path: Path) -> None:
    warehouse, target = _warehouse(tmp_path / "w.duckdb", through=4), tmp_path / "target"
    _results(target, {"test.p.a": "pass"})
    test_scope.record(target, warehouse, FINGERPRINT)
    assert (target / test_scope.STATE_FILE).exists()

    _results(target, {"model.p.m": "success"})  # dbt test did not run: run_results is the build's
    assert test_scope.record(target, warehouse, FINGERPRINT) is None

    assert not (target / test_scope.STATE_FILE).exists()
    assert test_scope.allowed_scope(target, test_scope.warehouse_state(warehouse), FINGERPRINT) is None


def test_the_stamped_models_are_those_whose_yaml_says_so() -> None:
    assert test_scope.stamped_models() == (
        ("intermediate", "int_audience_eligibility"),
        ("intermediate", "int_sends_evaluated"),
    )


def test_stamped_models_that_disagree_or_are_missing_scope_nothing(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path / "w.duckdb", through=4)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("update intermediate.int_audience_eligibility set evaluated_through_load_id = 3")
    assert test_scope.warehouse_state(warehouse) == (None, None)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("drop table intermediate.int_audience_eligibility")
    assert test_scope.warehouse_state(warehouse) == (None, None)


def test_the_fingerprint_ignores_the_evaluation_time_only() -> None:
    manifest = {
        "nodes": {"model.p.m": {"checksum": {"checksum": "1"}}},
        "macros": {"macro.p.x": {"macro_sql": "a"}},
    }
    policy = {"timezone": "Europe/Rome", "as_of": "2026-11-01"}
    same = test_scope.project_fingerprint(manifest, policy)
    assert test_scope.project_fingerprint(manifest, {**policy, "as_of": "2026-11-02"}) == same
    assert test_scope.project_fingerprint(manifest, {**policy, "timezone": "UTC"}) != same
    changed_model = {**manifest, "nodes": {"model.p.m": {"checksum": {"checksum": "2"}}}}
    assert test_scope.project_fingerprint(changed_model, policy) != same
    changed_macro = {**manifest, "macros": {"macro.p.x": {"macro_sql": "b"}}}
    assert test_scope.project_fingerprint(changed_macro, policy) != same
