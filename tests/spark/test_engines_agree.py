"""The same landing folder through both engines gives identical marts (issue: Spark engine).

One demo landing folder, two `softspam run`s through the installed command: ``--engine duckdb``
and ``--engine spark`` (dbt-spark's session method, a local Spark). Spark's marts are read from
the Parquet files Spark wrote, not through the DuckDB views that serve them, and compared with
DuckDB's marts column by column and row by row (multisets, both ways). Then the deliverables,
check-audience, and the dbt unit tests on Spark.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.config import PROJECT_DIR
from orchestration.spark import spark_dir_for

BIN = Path(sys.executable).parent
SOFTSPAM = shutil.which("softspam", path=str(BIN)) or "softspam"
AS_OF = "2026-11-01T00:00:00+00:00"
# every mart of docs/formats.md section 3 and the ones the reports add
MARTS = (
    "violations",
    "sends_checked",
    "audience_eligibility",
    "alignment_gaps",
    "soft_spam_authorizations",
    "suppression_list",
    "application_suppressions",
    "person_timeline",
    "data_quality_findings",
    "load_audit",
)
# stamps of the run itself (when it loaded, when it judged): equal only by accident
RUN_TIME_COLUMNS = {"judged_at", "loaded_at", "quarantined_at"}


def _spark_available() -> bool:
    """PySpark installed (the `spark` extra) and a Java runtime (`make java`)."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    java = shutil.which("java")
    return (
        java is not None
        and subprocess.run([java, "-version"], capture_output=True, check=False).returncode == 0
    )


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not _spark_available(), reason="no Java runtime or PySpark: `make java install`"),
]


def _run(landing: Path, warehouse: Path, output: Path, engine: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            SOFTSPAM, "run", "--engine", engine,
            "--landing", str(landing), "--warehouse", str(warehouse), "--output", str(output),
            "--as-of", AS_OF,
        ],
        capture_output=True, text=True, check=False,
        env={
            **{k: v for k, v in os.environ.items() if k != "SOFTSPAM_SPARK_DIR"},  # beside the warehouse
            "SOFTSPAM_SPARK_DRIVER_MEMORY": "1g",
            "SOFTSPAM_SPARK_PARTITIONS": "4",
        },
    )  # fmt: skip


@pytest.fixture(scope="module")
def both_engines(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("engines")
    landing = root / "landing"
    subprocess.run([SOFTSPAM, "demo", "--scale", "300", "--out", str(landing)], check=True)
    runs: dict[str, object] = {"landing": landing}
    for engine in ("duckdb", "spark"):
        warehouse, output = root / engine / "softspam.duckdb", root / engine / "output"
        completed = _run(landing, warehouse, output, engine)
        assert completed.returncode == 0, completed.stderr[-3000:]
        runs[engine] = {"warehouse": warehouse, "output": output, "stdout": completed.stdout}
    return runs


def spark_table(warehouse: Path, schema: str, table: str) -> str:
    """The Parquet files Spark wrote for schema.table, as a DuckDB table function."""
    folder = spark_dir_for(warehouse) / "tables" / f"{schema}.db" / table
    assert any(folder.glob("*.parquet")), f"Spark wrote no files for {schema}.{table} in {folder}"
    return f"read_parquet('{folder}/*.parquet')"


def differences(connection: duckdb.DuckDBPyConnection, left: str, right: str) -> dict[str, object]:
    """Column names, types and rows (as multisets) of two relations; empty lists when equal."""
    left_columns = connection.execute(f"describe select * from {left}").fetchall()  # noqa: S608
    right_columns = connection.execute(f"describe select * from {right}").fetchall()  # noqa: S608
    names = [name for name, *_ in left_columns if name not in RUN_TIME_COLUMNS]
    projection = ", ".join(f'"{name}"' for name in names)
    only_left = f"select {projection} from {left} except all select {projection} from {right}"  # noqa: S608
    only_right = f"select {projection} from {right} except all select {projection} from {left}"  # noqa: S608
    return {
        "columns": [
            (a[:2], b[:2]) for a, b in zip(left_columns, right_columns, strict=False) if a[:2] != b[:2]
        ]
        + (
            [("column count", len(left_columns), len(right_columns))]
            if len(left_columns) != len(right_columns)
            else []
        ),
        "only_left": connection.execute(only_left + " limit 5").fetchall(),
        "only_right": connection.execute(only_right + " limit 5").fetchall(),
        "rows": connection.execute(f"select count(*) from {left}").fetchall()[0][0],  # noqa: S608
    }


def test_spark_run_says_where_its_tables_are(both_engines: dict) -> None:
    stdout = both_engines["spark"]["stdout"]
    assert "engine: spark" in stdout
    assert str(spark_dir_for(both_engines["spark"]["warehouse"])) in stdout


@pytest.mark.parametrize("mart", MARTS)
def test_marts_identical_on_both_engines(both_engines: dict, mart: str) -> None:
    duck, spark = both_engines["duckdb"]["warehouse"], both_engines["spark"]["warehouse"]
    with duckdb.connect() as connection:
        connection.execute(f"attach '{duck}' as duck (read_only)")
        found = differences(connection, f"duck.marts.{mart}", spark_table(spark, "marts", mart))
    assert found["columns"] == []
    assert found["only_left"] == [], "rows only DuckDB has"
    assert found["only_right"] == [], "rows only Spark has"
    if mart in ("violations", "sends_checked", "audience_eligibility", "alignment_gaps"):
        assert found["rows"] > 0, f"the demo should give rows in {mart}"


def test_every_rule_is_found_by_spark(both_engines: dict) -> None:
    spark = both_engines["spark"]["warehouse"]
    with duckdb.connect() as connection:
        rules = {
            rule
            for (rule,) in connection.execute(
                f"select distinct rule_code from {spark_table(spark, 'marts', 'violations')}"  # noqa: S608
            ).fetchall()
        }
    expected = {
        row["rule_code"]
        for row in csv.DictReader((both_engines["landing"] / "_expected" / "violations.csv").open())
    }
    assert rules == expected


def test_the_comparison_sees_a_single_changed_value(both_engines: dict) -> None:
    """The differential test can fail: one changed evidence sentence is one row each way."""
    duck = both_engines["duckdb"]["warehouse"]
    with duckdb.connect() as connection:
        connection.execute(f"attach '{duck}' as duck (read_only)")
        connection.execute("create temp table altered as select * from duck.marts.violations")
        connection.execute("update altered set evidence = evidence || '.' where rowid = 0")
        found = differences(connection, "duck.marts.violations", "altered")
    assert len(found["only_left"]) == 1 and len(found["only_right"]) == 1


def test_checks_and_reports_read_spark_results(both_engines: dict) -> None:
    spark = both_engines["spark"]["warehouse"]
    with duckdb.connect(str(spark), read_only=True) as connection:
        kinds = dict(
            connection.execute(
                "select table_schema || '.' || table_name, table_type from information_schema.tables "
                "where table_schema in ('marts', 'intermediate', 'reference')"
            ).fetchall()
        )
    assert kinds["marts.violations"] == "VIEW" and kinds["reference.compliance_rules"] == "VIEW"
    assert set(kinds.values()) == {"VIEW"}, "every served table is a view over Spark's files"
    duck_out, spark_out = both_engines["duckdb"]["output"], both_engines["spark"]["output"]
    for name in ("violations.csv", "alignment_gaps.csv"):
        assert (spark_out / name).read_bytes() == (duck_out / name).read_bytes(), name
    duck_lists = sorted(p.name for p in (duck_out / "suppression").iterdir())
    assert duck_lists and duck_lists == sorted(p.name for p in (spark_out / "suppression").iterdir())
    for name in duck_lists:
        assert (spark_out / "suppression" / name).read_bytes() == (
            duck_out / "suppression" / name
        ).read_bytes()
    assert (spark_out / "report.html").stat().st_size > 0 and (spark_out / "dbt_docs.html").stat().st_size > 0


def test_check_audience_agrees_on_both_engines(both_engines: dict, tmp_path: Path) -> None:
    duck = both_engines["duckdb"]["warehouse"]
    with duckdb.connect(str(duck), read_only=True) as connection:
        addresses = [
            a
            for (a,) in connection.execute(
                "select email from intermediate.int_persons order by 1 limit 200"
            ).fetchall()
            if a
        ]
    audience = tmp_path / "audience.txt"
    audience.write_text("\n".join([*addresses, "stranger@example.org"]) + "\n", encoding="utf-8")
    verdicts = {}
    for engine in ("duckdb", "spark"):
        out = tmp_path / f"{engine}.csv"
        completed = subprocess.run(
            [
                SOFTSPAM, "check-audience", str(audience), "--category", "audio", "--as-of", AS_OF,
                "--warehouse", str(both_engines[engine]["warehouse"]), "--output", str(out),
            ],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert completed.returncode == 0, completed.stderr
        verdicts[engine] = out.read_text(encoding="utf-8")
    assert verdicts["duckdb"].count("\n") == len(addresses) + 2
    assert verdicts["spark"] == verdicts["duckdb"]


def test_dbt_unit_tests_pass_on_spark(both_engines: dict, tmp_path: Path) -> None:
    """The same unit tests, on Spark (they read the column types of the relations just built)."""
    completed = subprocess.run(
        [
            str(BIN / "dbt"), "test", "--target", "spark", "--select", "test_type:unit",
            "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
        ],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=False,
        env={
            **os.environ,
            "SOFTSPAM_SPARK_DIR": str(spark_dir_for(both_engines["spark"]["warehouse"])),
            "SOFTSPAM_SPARK_DRIVER_MEMORY": "1g",
        },
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-4000:]
    # every unit test of the project ran and passed (dbt's manifest and results of this invocation)
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text(encoding="utf-8"))
    results = json.loads((tmp_path / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    statuses = {r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}
    assert set(statuses) == set(manifest["unit_tests"]) and len(statuses) > 10
    assert set(statuses.values()) == {"pass"}
