"""The dbt project as Dagster assets: seeds, models and their tests (as asset checks).

dbt sources are mapped onto the landing assets, so ingestion and the models are one lineage graph.
"""

import hashlib
import json
import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from orchestration import hooks, test_scope
from orchestration.assets.ingestion import kind_key
from orchestration.assets.resources import SoftspamSettings
from orchestration.config import PROJECT_DIR, Settings
from orchestration.errors import SoftspamError
from orchestration.spark.landing import publish_landing
from orchestration.spark.serving import serve_spark_tables

# Mailchimp exports land from oppositions/ and suppressions/<app>/ but a source has one asset key
# (its meta, raw/oppositions): models reading it also get raw/suppressions (see get_asset_spec).
MAILCHIMP_SOURCE_SUFFIX = ".mailchimp.mailchimp_unsubscribes"
GROUP_BY_SCHEMA = {"staging": "staging", "intermediate": "intermediate", "marts": "marts"}
# One target folder per warehouse: it keeps dbt's partial parse between runs of that warehouse
# (the run lock serialises them), and runs on different warehouses never read each other's
# run_results.json.
DBT_TARGET_SUBDIR = Path("target") / "softspam_run"


def dbt_target_for(warehouse: Path, purpose: str = "run") -> Path:
    """dbt's target folder for runs on ``warehouse`` (``purpose``: run, run_spark, serving, docs)."""
    digest = hashlib.sha256(str(Path(warehouse).resolve()).encode("utf-8")).hexdigest()[:12]
    return DBT_PROJECT.project_dir / DBT_TARGET_SUBDIR.with_name(f"softspam_{purpose}_{digest}")


DBT_PROJECT = DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR)


def _dbt_executable() -> str:
    """The dbt installed beside this Python (the venv's), even when the venv is not on PATH."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else shutil.which("dbt") or "dbt"


dbt_resource = DbtCliResource(
    project_dir=DBT_PROJECT, profiles_dir=str(PROJECT_DIR), dbt_executable=_dbt_executable()
)


def _manifest_is_stale(project: DbtProject) -> bool:
    """The manifest is older than some file dbt parses (models, macros, seeds, tests, project)."""
    manifest = project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    watched = [project.project_dir / "dbt_project.yml"]
    for folder in ("models", "macros", "seeds", "tests/dbt", "snapshots"):
        root = project.project_dir / folder
        if root.is_dir():
            watched.extend(root.rglob("*"))
    return any(path.is_file() and path.stat().st_mtime > built for path in watched)


def prepare_manifest(project: DbtProject = DBT_PROJECT) -> Path:
    """`dbt parse` when the manifest is missing or older than the project's files."""
    if _manifest_is_stale(project):
        # Not project.preparer: it builds its own DbtCliResource that looks for `dbt` on PATH.
        dbt_resource.cli(["parse", "--quiet"], target_path=project.target_path).wait()
    return project.manifest_path


class SoftspamDbtTranslator(DagsterDbtTranslator):
    """Keys: models ``[schema, name]`` (e.g. marts/violations), seeds ``reference/<seed>``,
    sources the landing asset that writes them."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type == "source":
            # the landing asset that writes it, declared in the sources YAML (meta.dagster.asset_key)
            return super().get_asset_key(dbt_resource_props)
        if resource_type == "seed":
            return dg.AssetKey(["reference", dbt_resource_props["name"]])
        schema = dbt_resource_props.get("config", {}).get("schema") or dbt_resource_props.get("schema")
        return dg.AssetKey([schema or "main", dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        schema = dbt_resource_props.get("config", {}).get("schema") or ""
        return GROUP_BY_SCHEMA.get(schema, "dbt")

    def get_asset_check_spec(
        self, asset_spec: dg.AssetSpec, manifest: Mapping[str, Any], unique_id: str, project: Any
    ) -> dg.AssetCheckSpec | None:
        """dbt tests as non-blocking checks: a failed check never withholds the marts, the report
        or the exports (docs/formats.md section 4); the report names it instead."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        return spec._replace(blocking=False) if spec is not None else None

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: Any) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        upstream = self.get_resource_props(manifest, unique_id).get("depends_on", {}).get("nodes", [])
        if any(node.startswith("source.") and node.endswith(MAILCHIMP_SOURCE_SUFFIX) for node in upstream):
            spec = spec.merge_attributes(deps=[kind_key("suppressions")])
        return spec


TRANSLATOR = SoftspamDbtTranslator(
    settings=DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True)
)


MESSAGE_CHARS = 400


def run_target_path(settings: Settings) -> Path:
    """The build's target folder: one per warehouse and engine (a manifest is per adapter)."""
    purpose = "run" if settings.engine == "duckdb" else f"run_{settings.engine}"
    return dbt_target_for(settings.warehouse, purpose)


class DbtBuildError(SoftspamError, dg.Failure):
    """A seed, model or snapshot failed: the marts are not trustworthy, the run did not run."""


def _failed_nodes(run_results: dict[str, Any]) -> list[str]:
    failed = []
    for result in run_results.get("results", []):
        unique_id = result.get("unique_id", "")
        if unique_id.split(".")[0] in ("model", "seed", "snapshot") and result.get("status") == "error":
            # dbt's message spans lines (error kind, file, then the database's reason): keep it whole.
            message = " ".join(line.strip() for line in (result.get("message") or "error").splitlines())
            failed.append(f"{unique_id}: {message[:MESSAGE_CHARS]}")
    return failed


def _build(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, args: list[str], target: Path
) -> Iterator[Any]:
    invocation = dbt.cli(args, context=context, raise_on_error=False, target_path=target)
    for position, event in enumerate(invocation.stream()):
        yield event
        if position == 0:
            # test hook (SOFTSPAM_PAUSE_AT=dbt): the build is under way, its first node is done
            hooks.checkpoint("dbt")
    run_results_path = invocation.target_path / "run_results.json"
    failed = _failed_nodes(json.loads(run_results_path.read_text())) if run_results_path.exists() else []
    if failed or (not run_results_path.exists() and not invocation.is_successful()):
        reason = "; ".join(failed) or str(invocation.get_error())
        raise DbtBuildError(description=f"dbt build failed: {reason.splitlines()[0]}", allow_retries=False)


@dbt_assets(
    manifest=prepare_manifest(),
    project=DBT_PROJECT,
    dagster_dbt_translator=TRANSLATOR,
    name="softspam_dbt",
)
def softspam_dbt_assets(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, softspam: SoftspamSettings
) -> Iterator[Any]:
    """`dbt build`, in two steps so that a failing data test never skips the marts.

    1. seeds, models, snapshots (dbt build without tests): an error here fails the step;
    2. data tests: failures become failed asset checks, the run still ran.
    Unit tests check the SQL, not the data: CI runs them (`make test`), a run does not.
    """
    settings = softspam.settings
    settings.export_env()
    dbt_vars = json.dumps(settings.dbt_vars(), default=str)
    target = run_target_path(settings)
    engine = ["--target", settings.dbt_target]
    # what the previous build's tests saw, read before this build changes it (orchestration/test_scope.py)
    scoped_engine = settings.engine == "duckdb"
    before_build = test_scope.warehouse_state(settings.warehouse) if scoped_engine else (None, None)
    if settings.engine == "spark":
        written = publish_landing(settings.warehouse, settings.spark_dir)
        context.log.info(f"landed tables published as Parquet for Spark: {sum(written.values())} rows")
    yield from _build(
        context,
        dbt,
        [
            "build",
            *engine,
            "--vars",
            dbt_vars,
            "--exclude-resource-type",
            "test",
            "--exclude-resource-type",
            "unit_test",
        ],
        target,
    )
    if settings.engine == "spark":
        _serve_spark_results(context, dbt, settings, dbt_vars)
    if context.selected_asset_check_keys:
        fingerprint = test_scope.project_fingerprint(
            json.loads((target / "manifest.json").read_text(encoding="utf-8")), settings.dbt_vars()
        )
        scope = test_scope.allowed_scope(target, before_build, fingerprint) if scoped_engine else None
        if scope:
            context.log.info(
                f"{len(scope['passed'])} data tests that passed on the previous build read only the rows "
                f"written since load {scope['after_load_id']} where their model is stamped (test_scope)"
            )
        os.environ[test_scope.ENV] = json.dumps(scope)
        try:
            invocation = dbt.cli(
                ["test", *engine, "--vars", dbt_vars, "--exclude-resource-type", "unit_test"],
                context=context,
                raise_on_error=False,
                target_path=target,
            )
            yield from invocation.stream()
        finally:
            del os.environ[test_scope.ENV]
        if scoped_engine:
            test_scope.record(target, settings.warehouse, fingerprint)


def _serve_spark_results(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: Settings, dbt_vars: str
) -> None:
    """Spark's tables as views of the DuckDB file, and the staging views built there on raw.*,
    so checks, reports and check-audience read the same schemas as after a DuckDB build."""
    served = serve_spark_tables(settings.warehouse, settings.spark_dir)
    invocation = dbt.cli(
        ["run", "--target", "duckdb", "--select", "staging", "--vars", dbt_vars],
        target_path=dbt_target_for(settings.warehouse, "serving"),
        raise_on_error=False,
    )
    invocation.wait()
    if not invocation.is_successful():
        raise DbtBuildError(
            description="serving Spark's tables: the staging views on DuckDB failed; see the run log",
            allow_retries=False,
        )
    context.log.info(f"served {len(served)} Spark tables as DuckDB views")


def dbt_asset_keys_in_schema(schema: str) -> list[dg.AssetKey]:
    return sorted((key for key in softspam_dbt_assets.keys if key.path[0] == schema), key=lambda k: k.path)
