"""One real run of softspam_job over a small landing folder, shared by the module (dbt is slow)."""

import contextlib
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from orch_landing_files import EXPECTED_VIOLATIONS, write_landing

from orchestration.assets.resources import SoftspamSettings
from orchestration.checks import RULE_CODES, reconciliation_check, rule_check_name
from orchestration.cli import main
from orchestration.cli import run as cli_run
from orchestration.config import PROJECT_DIR
from orchestration.ingestion import KINDS
from orchestration.publish import READER_RELATIONS, analyst_path, latest_published

pytestmark = pytest.mark.slow
DBT = str(Path(sys.executable).with_name("dbt"))


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    """`softspam run --fail-on-violations` once; a spy keeps the Dagster result for the tests."""
    root = tmp_path_factory.mktemp("pipeline")
    landing = write_landing(root / "landing")
    ran: dict = {}
    real_execute = cli_run.execute_pipeline

    def spy(settings, progress=None):
        ran["settings"] = settings
        ran["result"], ran["summary"] = real_execute(settings, progress)
        return ran["result"], ran["summary"]

    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for name in (
            "SOFTSPAM_LANDING",
            "SOFTSPAM_WAREHOUSE",
            "SOFTSPAM_OUTPUT",
            "SOFTSPAM_POLICY",
            "SOFTSPAM_AS_OF",
        ):
            patch.delenv(name, raising=False)
        patch.setattr(cli_run, "execute_pipeline", spy)
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            ran["exit_code"] = main(
                [
                    "run",
                    "--landing",
                    str(landing),
                    "--warehouse",
                    str(root / "warehouse" / "softspam.duckdb"),
                    "--output",
                    str(root / "output"),
                    "--as-of",
                    "2026-03-01T00:00:00+00:00",
                    "--fail-on-violations",
                ]
            )
        ran["stdout"], ran["stderr"] = stdout.getvalue(), stderr.getvalue()
        yield ran


def test_every_asset_is_materialized_and_every_check_evaluated(pipeline):
    from orchestration.definitions import defs

    result = pipeline["result"]
    graph = defs.resolve_asset_graph()
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert materialized == set(graph.get_all_asset_keys())
    evaluated = {(e.asset_key, e.check_name) for e in result.get_asset_check_evaluations()}
    assert evaluated == {(key.asset_key, key.name) for key in graph.asset_check_keys}


def test_summary_counts_what_was_landed_and_judged(pipeline):
    summary = pipeline["summary"]
    assert summary.files_loaded == 5
    assert summary.files_quarantined == 0
    assert summary.rows_quarantined == 1  # the sales line without order_id
    assert summary.sends_judged == 4
    assert summary.violations_by_rule == EXPECTED_VIOLATIONS


def _evaluations(result):
    return {(e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()}


def test_one_check_per_rule_warns_with_count_and_examples(pipeline):
    result = pipeline["result"]
    evaluations = _evaluations(result)
    for code in RULE_CODES:
        evaluation = evaluations[("marts/violations", rule_check_name(code))]
        assert evaluation.passed == (code not in EXPECTED_VIOLATIONS)
        assert evaluation.severity == dg.AssetCheckSeverity.WARN
        assert evaluation.metadata["violations"].value == EXPECTED_VIOLATIONS.get(code, 0)
    opt_out = evaluations[("marts/violations", "rule_no_opt_out_link")].metadata["worst_examples"].value
    assert "S2" in opt_out and "NO_OPT_OUT_LINK" in opt_out
    assert "@" not in opt_out


def test_gx_checks_pass_on_clean_landing_and_write_results(pipeline):
    settings, result = pipeline["settings"], pipeline["result"]
    evaluations = _evaluations(result)
    for kind in KINDS:
        evaluation = evaluations[(f"raw/{kind}", f"gx_{kind}")]
        assert evaluation.passed, evaluation.metadata["findings"].value
        assert (settings.output / "gx" / f"{kind}.json").is_file()
    assert evaluations[("raw/sends", "gx_sends")].metadata["rows_validated"].value == 4


def test_reconciliation_passes_then_fails_when_a_send_is_missing(pipeline, tmp_path):
    settings, result = pipeline["settings"], pipeline["result"]
    evaluation = _evaluations(result)[("marts/sends_checked", "reconciliation")]
    assert evaluation.passed
    assert evaluation.metadata["sends_judged"].value == 4

    broken = tmp_path / "broken.duckdb"
    shutil.copy(settings.warehouse, broken)
    with duckdb.connect(str(broken)) as connection:
        # sends_checked is a view over the incrementally judged sends: lose one there
        connection.execute("delete from intermediate.int_sends_evaluated where send_id = 'S3'")
        connection.execute("update raw.load_ledger set rows_loaded = rows_loaded - 1 where kind = 'consents'")
    outcome = reconciliation_check(softspam=SoftspamSettings(warehouse=str(broken)))
    assert not outcome.passed
    assert outcome.severity == dg.AssetCheckSeverity.ERROR
    assert outcome.metadata["sends_missing_from_marts"].value == 1
    assert outcome.metadata["files_not_adding_up"].value == 1
    assert "s3" in outcome.metadata["missing_sends_examples"].value


def _singular_test(name: str, warehouse: Path, tmp_path: Path, columns: str) -> Callable[[], list[tuple]]:
    """Compile tests/dbt/<name>.sql for ``warehouse``; the returned function runs it there and
    returns its failing rows (``columns``, in order)."""
    env = {**os.environ, "SOFTSPAM_WAREHOUSE": str(warehouse)}
    target = ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]
    command = [DBT, "compile", "--select", name, *target]
    compiled = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False)
    assert compiled.returncode == 0, compiled.stdout[-3000:]
    sql = next((tmp_path / "target" / "compiled").rglob(f"{name}.sql")).read_text()

    def failures() -> list[tuple]:
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            return connection.execute(f"select {columns} from ({sql}) order by all").fetchall()  # noqa: S608

    return failures


def test_dbt_test_names_each_send_missing_duplicated_or_unknown(pipeline, tmp_path):
    """tests/dbt/landed_sends_are_all_checked.sql (its compiled SQL): no row on the run's
    warehouse; on a tampered copy exactly the sends that are wrong, and why."""
    broken = tmp_path / "broken.duckdb"
    shutil.copy(pipeline["settings"].warehouse, broken)
    failures = _singular_test(
        "landed_sends_are_all_checked", broken, tmp_path, "send_id, source_system, problem"
    )

    assert failures() == []
    with duckdb.connect(str(broken)) as connection:
        sources = dict(
            connection.execute("select send_id, source_system from marts.sends_checked").fetchall()
        )
        # sends_checked is a view over the judged sends: lose S3, judge S1 twice, invent S9
        connection.execute("delete from intermediate.int_sends_evaluated where send_id = 'S3'")
        connection.execute(
            "insert into intermediate.int_sends_evaluated select * from intermediate.int_sends_evaluated"
            " where send_id = 'S1'"
        )
        connection.execute(
            "insert into intermediate.int_sends_evaluated select * replace ('S9' as send_id)"
            " from intermediate.int_sends_evaluated where send_id = 'S2'"
        )
    assert failures() == [
        ("S1", sources["S1"], "in sends_checked 2 times"),
        ("S3", sources["S3"], "landed but not in sends_checked"),
        ("S9", sources["S2"], "in sends_checked but not landed"),
    ]


def _nulls_first(row: tuple) -> tuple:
    return tuple("" if value is None else value for value in row)


def test_dbt_test_names_each_eligibility_row_too_many_outside_or_missing(pipeline, tmp_path):
    """tests/dbt/audience_eligibility_covers_every_person_category_channel.sql: no row on the
    run's warehouse; on a tampered copy exactly what breaks one row per person x category x
    channel (a triple twice, a row outside the product, an unknown person, a person incomplete)."""
    broken = tmp_path / "broken.duckdb"
    shutil.copy(pipeline["settings"].warehouse, broken)
    name = "audience_eligibility_covers_every_person_category_channel"
    failures = _singular_test(name, broken, tmp_path, "person_key, product_category, channel, problem")

    assert failures() == []
    with duckdb.connect(str(broken)) as connection:
        # audience_eligibility is a view over int_audience_eligibility: tamper there
        connection.execute("create temp view rows as select * from intermediate.int_audience_eligibility")
        pairs = connection.execute("select count(distinct (product_category, channel)) from rows").fetchone()
        pairs = pairs[0]
        persons = connection.execute("select distinct person_key from rows order by 1 limit 3").fetchall()
        twice, outside, gone = (person[0] for person in persons)
        category, channel = connection.execute(
            "select product_category, channel from rows where person_key = ? order by all limit 1", [twice]
        ).fetchone()
        connection.execute(
            "insert into intermediate.int_audience_eligibility"
            " select * replace ('no_such_person' as person_key) from rows"
            " where person_key = ? and product_category = ? and channel = ?",
            [twice, category, channel],
        )
        connection.execute(
            "insert into intermediate.int_audience_eligibility select * from rows"
            " where person_key = ? and product_category = ? and channel = ?",
            [twice, category, channel],
        )
        connection.execute(
            "update intermediate.int_audience_eligibility set product_category = 'no_such_category'"
            " where person_key = ? and product_category = ? and channel = ?",
            [outside, category, channel],
        )
        connection.execute("delete from intermediate.int_audience_eligibility where person_key = ?", [gone])
    assert sorted(failures(), key=_nulls_first) == sorted(
        [
            (twice, category, channel, "2 rows for one person x category x channel"),
            (twice, None, None, f"{pairs + 1} rows for a known person, not {pairs}"),
            (outside, "no_such_category", channel, "not a product category x marketing channel"),
            (gone, None, None, f"0 rows for a known person, not {pairs}"),
            ("no_such_person", None, None, "not a known person (int_persons)"),
        ],
        key=_nulls_first,
    )


def test_reports_are_written(pipeline):
    settings = pipeline["settings"]
    for name in ("report.html", "violations.csv", "alignment_gaps.csv"):
        assert (settings.output / name).is_file()


def test_cli_prints_a_true_summary_and_fails_on_violations(pipeline):
    assert pipeline["exit_code"] == 1
    out = pipeline["stdout"]
    assert "files: 5 loaded, 0 quarantined whole (1 rows quarantined)" in out
    assert "sends judged: 4" in out
    assert "violations: 3 (NON_EMAIL_CHANNEL 1, NO_OPT_OUT_LINK 1, SENT_AFTER_OPPOSITION 1)" in out
    assert f"outputs: {pipeline['settings'].output}" in out
    # stderr is not a terminal here: no progress lines, only the one reason for exit code 1
    assert pipeline["stderr"].strip().splitlines() == [
        "softspam run: 3 violations found (--fail-on-violations)"
    ]


def test_the_run_publishes_the_marts_for_readers(pipeline):
    settings = pipeline["settings"]
    _, manifest = latest_published(settings.warehouse)
    assert manifest["as_of"] == "2026-03-01T00:00:00Z"
    assert (
        f"published for readers: {analyst_path(settings.warehouse)} (build {manifest['build_id']})"
        in pipeline["stdout"]
    )
    with duckdb.connect(str(settings.warehouse), read_only=True) as connection:
        marts = connection.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
        counts = {
            f"marts.{name}": connection.execute(f"select count(*) from marts.{name}").fetchone()[0]  # noqa: S608
            for (name,) in marts
        }
    assert {name: rows for name, rows in manifest["tables"].items() if name.startswith("marts.")} == counts
    assert set(READER_RELATIONS) <= set(manifest["tables"])
    assert manifest["tables"]["marts.sends_checked"] == 4


def test_trail_is_wired_to_the_reports_handler(pipeline, capsys):
    settings = pipeline["settings"]
    assert (
        main(["trail", "bruno@example.com", "--format", "json", "--warehouse", str(settings.warehouse)]) == 0
    )
    assert "bruno@example.com" in capsys.readouterr().out


def test_outputs_folder_holds_no_unmasked_address_in_gx_results(pipeline):
    settings = pipeline["settings"]
    for result_file in (settings.output / "gx").glob("*.json"):
        assert "example.com" not in result_file.read_text()
