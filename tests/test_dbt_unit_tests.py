"""The dbt unit tests of the models' YAML (every rule and boundary on hand-written rows), on DuckDB.

Unit tests read the column types of the relations a model refers to, so the project is first
built empty (`dbt run --empty` over an empty raw schema). The same unit tests run on Spark in
tests/spark/test_engines_agree.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.config import PROJECT_DIR
from orchestration.ingestion.raw_schema import create_raw_schema_sql

pytestmark = pytest.mark.slow
DBT = str(Path(sys.executable).with_name("dbt"))


def test_every_dbt_unit_test_passes_on_duckdb(tmp_path: Path) -> None:
    warehouse = tmp_path / "unit.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        for statement in create_raw_schema_sql():
            connection.execute(statement)
    env = {**os.environ, "SOFTSPAM_WAREHOUSE": str(warehouse)}
    target = ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]
    for command in (["seed"], ["run", "--empty"], ["test", "--select", "test_type:unit"]):
        completed = subprocess.run(
            [DBT, *command, *target], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False
        )
        assert completed.returncode == 0, f"dbt {' '.join(command)}:\n{completed.stdout[-4000:]}"
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text(encoding="utf-8"))
    results = json.loads((tmp_path / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    statuses = {r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}
    assert set(statuses) == set(manifest["unit_tests"]) and len(statuses) > 10
    assert set(statuses.values()) == {"pass"}
