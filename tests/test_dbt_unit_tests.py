"""The dbt unit tests of the models' YAML (every rule and boundary on hand-written rows), on DuckDB,
and the column descriptions of the intermediate models and the marts.

Unit tests read the column types of the relations a model refers to, so the project is first
built empty (`dbt run --empty` over an empty raw schema), once for both tests. The same unit tests
run on Spark in tests/spark/test_engines_agree.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.config import PROJECT_DIR
from orchestration.ingestion.raw_schema import create_raw_schema_sql

pytestmark = pytest.mark.slow
DBT = str(Path(sys.executable).with_name("dbt"))
# the models whose every column is described in their YAML
DESCRIBED_MODEL_PATHS = ("models/intermediate/", "models/marts/")


@dataclass(frozen=True)
class EmptyBuild:
    warehouse: Path
    target: Path
    logs: Path

    def dbt(self, *command: str, must_succeed: bool = True, **env: str) -> None:
        env = {**os.environ, "SOFTSPAM_WAREHOUSE": str(self.warehouse), **env}
        paths = ["--target-path", str(self.target), "--log-path", str(self.logs)]
        completed = subprocess.run(
            [DBT, *command, *paths], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False
        )
        if must_succeed:
            assert completed.returncode == 0, f"dbt {' '.join(command)}:\n{completed.stdout[-4000:]}"

    def read_target(self, name: str) -> dict:
        return json.loads((self.target / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def empty_build(tmp_path_factory: pytest.TempPathFactory) -> EmptyBuild:
    """The whole project seeded and built empty, in its own DuckDB file."""
    root = tmp_path_factory.mktemp("dbt_empty_build")
    build = EmptyBuild(warehouse=root / "unit.duckdb", target=root / "target", logs=root / "logs")
    with duckdb.connect(str(build.warehouse)) as connection:
        for statement in create_raw_schema_sql():
            connection.execute(statement)
    build.dbt("seed")
    build.dbt("run", "--empty")
    return build


def test_every_dbt_unit_test_passes_on_duckdb(empty_build: EmptyBuild) -> None:
    empty_build.dbt("test", "--select", "test_type:unit")
    manifest = empty_build.read_target("manifest.json")
    results = empty_build.read_target("run_results.json")["results"]
    statuses = {r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}
    assert set(statuses) == set(manifest["unit_tests"]) and len(statuses) > 10
    assert set(statuses.values()) == {"pass"}


def test_every_column_of_the_intermediate_models_and_marts_is_described(empty_build: EmptyBuild) -> None:
    """Every column of each built relation has a description in the YAML, and the YAML names no
    column the relation lacks."""
    models = [
        node
        for node in empty_build.read_target("manifest.json")["nodes"].values()
        if node["resource_type"] == "model" and node["original_file_path"].startswith(DESCRIBED_MODEL_PATHS)
    ]
    assert models
    with duckdb.connect(str(empty_build.warehouse), read_only=True) as connection:
        built = {}
        for catalog, schema, table, column in connection.execute(
            "select table_catalog, table_schema, table_name, column_name from information_schema.columns"
        ).fetchall():
            built.setdefault((catalog, schema, table), []).append(column.lower())
    undescribed, unknown, unbuilt = [], [], []
    for node in models:
        columns = built.get((node["database"], node["schema"], node["alias"]))
        if columns is None:
            unbuilt.append(node["name"])
            continue
        described = {
            name.lower(): (column.get("description") or "").strip()
            for name, column in node["columns"].items()
        }
        undescribed += [f"{node['name']}.{column}" for column in columns if not described.get(column)]
        unknown += [f"{node['name']}.{column}" for column in described if column not in columns]
    problems = [
        (f"{len(undescribed)} columns with no description", undescribed),
        ("YAML columns the built relation lacks", unknown),
        ("models with no built relation", unbuilt),
    ]
    assert not (undescribed or unknown or unbuilt), "\n".join(
        f"{title}:\n  " + "\n  ".join(names) for title, names in problems if names
    )


def test_a_test_that_passed_reads_only_the_rows_written_since_and_any_other_reads_all(
    empty_build: EmptyBuild,
) -> None:
    """macros/test_scope.sql: the scope that orchestration/test_scope.py hands the next build."""
    name = "unique_int_sends_evaluated_send_key"
    unique_id = next(
        node_id
        for node_id in empty_build.read_target("manifest.json")["nodes"]
        if node_id.split(".")[2] == name
    )

    def status(scope: dict | None) -> str:
        empty_build.dbt("test", "--select", name, must_succeed=False, SOFTSPAM_TEST_SCOPE=json.dumps(scope))
        results = empty_build.read_target("run_results.json")["results"]
        return next(result["status"] for result in results if result["unique_id"] == unique_id)

    def insert(send_key: str, stamp: int) -> None:
        with duckdb.connect(str(empty_build.warehouse)) as connection:
            connection.execute(
                "insert into intermediate.int_sends_evaluated (send_key, evaluated_through_load_id) "
                "values (?, ?)",
                [send_key, stamp],
            )

    scoped = {"after_load_id": 4, "passed": [unique_id]}
    try:
        insert("old", 3)
        insert("old", 3)  # a duplicate the build through load 4 wrote, and whose test then failed
        insert("new", 5)
        assert status(scoped) == "pass"  # the previous build's rows are not read again
        assert status(None) == "fail"
        assert status({**scoped, "passed": []}) == "fail"  # a test that did not pass reads every row
        insert("new", 5)
        assert status(scoped) == "fail"  # a duplicate among the rows written since
    finally:
        with duckdb.connect(str(empty_build.warehouse)) as connection:
            connection.execute("delete from intermediate.int_sends_evaluated")


def test_a_views_key_test_fails_on_a_repeated_key_and_on_a_null_in_one_pass(empty_build: EmptyBuild) -> None:
    """unique_combination_of_columns with not_null_columns (macros/generic_tests): the per-person
    views are tested once for their key, NULLs included."""
    view = "intermediate.int_person_first_sales"
    tests = [
        node
        for node in empty_build.read_target("manifest.json")["nodes"].values()
        if node["resource_type"] == "test"
        and node.get("attached_node") == "model.softspam.int_person_first_sales"
    ]
    assert [node["test_metadata"]["name"] for node in tests] == ["unique_combination_of_columns"]
    (unique_id,) = [node["unique_id"] for node in tests]

    def status(rows: str) -> str:
        with duckdb.connect(str(empty_build.warehouse)) as connection:
            connection.execute(
                f"create or replace view {view} as select * from (values {rows}) "  # noqa: S608 (constants)
                "as t(person_key, controller, first_qualifying_at, first_qualifying_ref, "
                "first_qualifying_category)"
            )
        empty_build.dbt(
            "test",
            "--select",
            "int_person_first_sales",
            "--exclude-resource-type",
            "unit_test",
            must_succeed=False,
        )
        results = empty_build.read_target("run_results.json")["results"]
        return next(result["status"] for result in results if result["unique_id"] == unique_id)

    row = "('p1', 'shop', timestamptz '2026-01-01 00:00:00+00', 'L1', 'audio')"
    other = "('p2', 'shop', timestamptz '2026-01-01 00:00:00+00', 'L2', 'audio')"
    null_person = "(null, 'shop', timestamptz '2026-01-01 00:00:00+00', 'L3', 'audio')"
    try:
        assert status(f"{row}, {other}") == "pass"
        assert status(f"{row}, {row}") == "fail"
        assert status(f"{row}, {null_person}") == "fail"
    finally:
        empty_build.dbt("run", "--empty", "--select", "int_person_first_sales")
