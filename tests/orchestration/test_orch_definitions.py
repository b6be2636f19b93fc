"""The Dagster code location: every asset, check, schedule and sensor, and one lineage graph."""

import json

import dagster as dg
import pytest

from orchestration.assets.dbt import DBT_PROJECT, TRANSLATOR
from orchestration.checks import RULE_CODES, rule_check_name
from orchestration.definitions import defs
from orchestration.ingestion import KINDS
from orchestration.publish import READER_RELATIONS

CONTRACT_MARTS = (
    "sends_checked",
    "violations",
    "audience_eligibility",
    "soft_spam_authorizations",
    "suppression_list",
    "alignment_gaps",
    "person_timeline",
    "load_audit",
)


@pytest.fixture(scope="module")
def graph():
    return defs.resolve_asset_graph()


@pytest.fixture(scope="module")
def manifest():
    return json.loads(DBT_PROJECT.manifest_path.read_text())


def test_landing_assets_one_per_kind_in_group_landing(graph):
    for kind in KINDS:
        node = graph.get(dg.AssetKey(["raw", kind]))
        assert node.group_name == "landing"
    assert graph.get(dg.AssetKey(["raw", "reference_overrides"])).group_name == "landing"


def test_contract_marts_and_reports_asset_exist(graph):
    keys = graph.get_all_asset_keys()
    for table in CONTRACT_MARTS:
        assert dg.AssetKey(["marts", table]) in keys
        assert graph.get(dg.AssetKey(["marts", table])).group_name == "marts"
    reports = graph.get(dg.AssetKey(["reports", "compliance_outputs"]))
    assert {
        dg.AssetKey(["marts", "violations"]),
        dg.AssetKey(["marts", "alignment_gaps"]),
    } <= reports.parent_keys


def test_the_published_copy_follows_every_mart_and_what_readers_read(graph):
    node = graph.get(dg.AssetKey(["published", "marts_copy"]))
    assert node.group_name == "published"
    marts = {key for key in graph.get_all_asset_keys() if key.path[0] == "marts"}
    readers = {dg.AssetKey(relation.split(".")) for relation in READER_RELATIONS}
    assert node.parent_keys == marts | readers
    assert all(graph.get(key).is_materializable for key in readers)


def test_checks_gx_per_kind_one_per_rule_and_reconciliation(graph):
    checks = {(key.asset_key.to_user_string(), key.name) for key in graph.asset_check_keys}
    assert {(f"raw/{kind}", f"gx_{kind}") for kind in KINDS} <= checks
    assert len(RULE_CODES) == 9
    assert {("marts/violations", rule_check_name(code)) for code in RULE_CODES} <= checks
    assert ("marts/sends_checked", "reconciliation") in checks
    # dbt data tests are asset checks too (dagster-dbt default)
    assert any(name.startswith(("unique_", "not_null_", "accepted_values_")) for _, name in checks)


def test_job_schedule_and_sensor(graph):
    job = defs.resolve_job_def("softspam_job")
    assert job.tags["softspam/warehouse"] == "write"
    schedule = defs.resolve_schedule_def("softspam_daily")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 6 * * *", "Europe/Rome")
    assert schedule.job_name == "softspam_job"
    assert defs.resolve_sensor_def("landing_folder_sensor").job_name == "softspam_job"


def test_every_dbt_source_is_an_edge_from_the_landing_asset_that_writes_it(graph, manifest):
    ingestion_keys = {key for key in graph.get_all_asset_keys() if key.path[0] == "raw"}
    edges_checked = 0
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        parents = graph.get(TRANSLATOR.get_asset_key(node)).parent_keys
        for upstream in node["depends_on"]["nodes"]:
            if upstream.startswith("source."):
                source_key = TRANSLATOR.get_asset_key(manifest["sources"][upstream])
                assert source_key in ingestion_keys, upstream
                assert source_key in parents, (node["unique_id"], upstream)
                edges_checked += 1
    assert edges_checked >= 10
    # no dangling source stubs: every parent of a dbt asset is itself materializable
    for key in graph.get_all_asset_keys():
        for parent in graph.get(key).parent_keys:
            assert graph.get(parent).is_materializable, parent


def test_specific_lineage_edges(graph, manifest):
    def model_reading(source_id: str) -> dg.AssetKey:
        readers = [
            node
            for node in manifest["nodes"].values()
            if source_id in node.get("depends_on", {}).get("nodes", [])
        ]
        assert readers, source_id
        return TRANSLATOR.get_asset_key(readers[0])

    sales_reader = model_reading("source.softspam.landing.sales")
    assert dg.AssetKey(["raw", "sales"]) in graph.get(sales_reader).parent_keys
    shopify_reader = model_reading("source.softspam.shopify.shopify_order_lines")
    assert dg.AssetKey(["raw", "sales"]) in graph.get(shopify_reader).parent_keys
    mailchimp_reader = graph.get(model_reading("source.softspam.mailchimp.mailchimp_unsubscribes"))
    assert {
        dg.AssetKey(["raw", "oppositions"]),
        dg.AssetKey(["raw", "suppressions"]),
    } <= mailchimp_reader.parent_keys


def test_no_check_blocks_the_deliverables(graph):
    """A failed check (a dbt test of severity error included) never skips the marts, the report or
    the exports (docs/formats.md section 4): every check of the job is non-blocking."""
    checks = list(graph.asset_check_keys)
    assert len(checks) > 100
    blocking = [key for key in checks if graph.get_check_spec(key).blocking]
    assert blocking == []
