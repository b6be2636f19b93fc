"""Great Expectations on what a run just landed: a bad batch fails the right way, a good one passes."""

import json
from datetime import UTC, datetime
from types import SimpleNamespace

import dagster as dg
import duckdb
import pytest
from orch_landing_files import SENDS, write_landing

from orchestration.assets.ingestion import kind_assets
from orchestration.assets.resources import SoftspamSettings
from orchestration.ingestion.raw_schema import LANDED_TABLES, LINEAGE_COLUMNS, create_raw_schema_sql
from orchestration.quality import mask_email, validate_kind, write_result

NOW = datetime(2026, 3, 1, tzinfo=UTC)
# the 10 business columns and the 4 lineage columns of raw.sends that _send fills, in its order
SEND_COLUMNS = [
    *(name for name, _ in LANDED_TABLES["sends"] if not name.endswith("_text")),
    *(name for name, _ in LINEAGE_COLUMNS),
]


def _warehouse_with_sends(path, rows):
    with duckdb.connect(str(path)) as connection:
        for statement in create_raw_schema_sql():
            connection.execute(statement)
        placeholders = ", ".join("?" * len(SEND_COLUMNS))
        if rows:
            connection.executemany(
                f"insert into raw.sends ({', '.join(SEND_COLUMNS)}) values ({placeholders})",  # noqa: S608
                rows,
            )
    return path


def _send(send_id, email, channel="email", basis="soft_spam", sent_at="2026-02-01 09:00:00+00", load_id=1):
    return (
        send_id,
        "C1",
        channel,
        email,
        "garden",
        basis,
        sent_at,
        "true",
        None,
        "esp",
        load_id,
        "f.csv",
        2,
        None,
    )


def test_mask_email_keeps_no_address():
    assert mask_email("mario.rossi@example.com") == "m***@e***.com"
    assert mask_email("not-an-address") == "n***"


def test_bad_batch_fails_each_expectation_with_its_unexpected_count(tmp_path):
    warehouse = _warehouse_with_sends(
        tmp_path / "w.duckdb",
        [
            _send("S1", "anna@example.com"),
            _send("S1", "  Bruno@Example.com "),  # duplicate id within the file
            _send("S2", "mario.rossi", channel=" FAX "),  # bad address, unknown channel
            _send("S3", "carla@example.com", basis="legitimate_interest", sent_at="2099-01-01 00:00:00+00"),
            _send("S9", "other@example.com", load_id=2),  # another run's load: not validated
        ],
    )
    validation = validate_kind(
        warehouse, "sends", [SimpleNamespace(load_id=1, format="canonical", rows_read=4)], now=NOW
    )
    assert validation.rows_validated == {"sends": 4}
    found = {(f.expectation, f.column): (f.severity, f.unexpected_count) for f in validation.findings}
    assert found == {
        ("expect_compound_columns_to_be_unique", "_load_id,source_system,send_id"): ("critical", 2),
        ("expect_column_values_to_be_in_set", "channel"): ("warning", 1),
        ("expect_column_values_to_be_in_set", "legal_basis"): ("warning", 1),
        ("expect_column_values_to_be_between", "sent_at"): ("warning", 1),
        ("expect_column_values_to_match_regex", "email"): ("warning", 1),
    }
    assert validation.has_critical and validation.unexpected_count == 6
    email_finding = next(f for f in validation.findings if f.column == "email")
    assert email_finding.sample == ["m***"]
    written = write_result(validation, tmp_path / "out").read_text()
    assert json.loads(written)["success"] is False
    assert "mario.rossi" not in written and "example.com" not in written


def test_good_batch_passes(tmp_path):
    warehouse = _warehouse_with_sends(
        tmp_path / "w.duckdb", [_send("S1", "anna@example.com"), _send("S2", "bruno@example.com")]
    )
    validation = validate_kind(
        warehouse, "sends", [SimpleNamespace(load_id=1, format="canonical", rows_read=2)], now=NOW
    )
    assert validation.passed and validation.findings == []
    assert validation.rows_validated == {"sends": 2}


def test_values_are_compared_as_the_models_read_them(tmp_path):
    """lower(trim()) and empty = missing, as staging reads them: case, padding and blanks are no
    finding; a value still outside the set after that is."""
    warehouse = _warehouse_with_sends(
        tmp_path / "w.duckdb",
        [
            _send("S1", " Anna@Example.COM ", channel=" EMAIL ", basis="Soft_Spam"),
            _send("S2", "bruno@example.com", channel="  ", basis=""),
            _send("S3", "carla@example.com", channel="fax"),
        ],
    )
    validation = validate_kind(
        warehouse, "sends", [SimpleNamespace(load_id=1, format="canonical", rows_read=3)], now=NOW
    )
    assert [(f.expectation, f.column, f.unexpected_count, f.sample) for f in validation.findings] == [
        ("expect_column_values_to_be_in_set", "channel", 1, ["fax"])
    ]


def test_non_empty_file_that_landed_nothing_is_critical(tmp_path):
    warehouse = _warehouse_with_sends(tmp_path / "w.duckdb", [])
    validation = validate_kind(
        warehouse, "sends", [SimpleNamespace(load_id=1, format="canonical", rows_read=3)], now=NOW
    )
    assert [(f.expectation, f.severity) for f in validation.findings] == [
        ("expect_table_row_count_to_be_between", "critical")
    ]


def test_file_quarantined_whole_is_a_critical_finding(tmp_path):
    warehouse = _warehouse_with_sends(tmp_path / "w.duckdb", [_send("S1", "anna@example.com")])
    loads = [
        SimpleNamespace(load_id=1, format="canonical", rows_read=1, status="loaded"),
        SimpleNamespace(
            load_id=2,
            file_name="sends/x.csv",
            format=None,
            rows_read=7,
            status="quarantined",
            message="unknown header",
        ),
    ]
    validation = validate_kind(warehouse, "sends", loads, now=NOW)
    (finding,) = validation.findings
    assert (finding.table, finding.severity, finding.unexpected_count) == ("file sends/x.csv", "critical", 7)
    assert validation.as_json()["files_quarantined_whole"] == [
        {"file": "sends/x.csv", "rows": 7, "reason": "unknown header"}
    ]


def _materialize_sends(tmp_path, sends_csv):
    landing = write_landing(tmp_path / "landing", {"sends/sends.csv": sends_csv})
    resource = SoftspamSettings(
        landing=str(landing), warehouse=str(tmp_path / "w.duckdb"), output=str(tmp_path / "out")
    )
    sends_asset = next(a for a in kind_assets if dg.AssetKey(["raw", "sends"]) in a.keys)
    with pytest.MonkeyPatch.context() as patch:
        for name in ("SOFTSPAM_POLICY", "SOFTSPAM_AS_OF"):
            patch.delenv(name, raising=False)
        result = dg.materialize([sends_asset], resources={"softspam": resource})
    assert result.success
    (evaluation,) = result.get_asset_check_evaluations()
    return result, evaluation


def test_planted_bad_file_fails_gx_sends_check_with_masked_metadata(tmp_path):
    header, *rows = SENDS.strip().splitlines()
    planted = "\n".join(
        [
            header,
            *rows,
            "S1,C2,email,anna@example.com,garden,soft_spam,2026-02-02T09:00:00Z,true,mailchimp",
            "S5,C2,fax,eva@example.com,garden,soft_spam,2026-02-02T09:00:00Z,true,mailchimp",
        ]
    )
    result, evaluation = _materialize_sends(tmp_path, planted + "\n")
    assert evaluation.check_name == "gx_sends"
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR  # duplicate key within the file
    metadata = {key: value.value for key, value in evaluation.metadata.items()}
    assert metadata["rows_validated"] == 6
    assert metadata["failing_expectations"] == 2
    assert metadata["unexpected_count"] == 3  # 2 rows share S1, 1 row on fax
    assert "expect_compound_columns_to_be_unique" in metadata["findings"]
    assert "fax" in metadata["findings"]
    (materialization,) = result.get_asset_materialization_events()
    shown = json.dumps({k: str(v.value) for k, v in materialization.materialization.metadata.items()})
    assert "@example.com" not in shown + json.dumps({k: str(v) for k, v in metadata.items()})
    assert materialization.materialization.metadata["rows_loaded"].value == 6
    assert (tmp_path / "out" / "gx" / "sends.json").is_file()


def test_clean_file_passes_gx_sends_check(tmp_path):
    _, evaluation = _materialize_sends(tmp_path, SENDS)
    assert evaluation.passed
    assert evaluation.metadata["rows_validated"].value == 4


def test_large_landings_are_validated_file_by_file_in_bounded_batches(tmp_path, monkeypatch):
    """A full build lands millions of rows: GX sees whole files, at most BATCH_ROWS rows at once,
    and still finds a duplicate id within a file (the same id in two files is an overlap, not an error)."""
    from orchestration.quality import validation as validation_module

    monkeypatch.setattr(validation_module, "BATCH_ROWS", 2)
    warehouse = _warehouse_with_sends(
        tmp_path / "w.duckdb",
        [
            _send("S1", "anna@example.com", load_id=1),
            _send("S1", "bruno@example.com", load_id=1),  # duplicate within file 1
            _send("S1", "carla@example.com", load_id=2),  # same id again in file 2: an overlap
            _send("S2", "dario@example.com", load_id=3),
        ],
    )
    loads = [SimpleNamespace(load_id=n, format="canonical", rows_read=r) for n, r in ((1, 2), (2, 1), (3, 1))]
    validation = validate_kind(warehouse, "sends", loads, now=NOW)
    assert validation.rows_validated == {"sends": 4}
    assert len(validation.results) == 2  # files 1 | 2+3
    found = {(f.expectation, f.column): f.unexpected_count for f in validation.findings}
    assert found == {("expect_compound_columns_to_be_unique", "_load_id,source_system,send_id"): 2}
