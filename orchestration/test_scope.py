"""Which data tests may read only what a build changed (macros/test_scope.sql says which rows).

After each `dbt test`, the run records in the build's target folder the tests that passed, the
build they passed on (the last load the incremental models had judged through) and fingerprints
of the project (every model's, test's, seed's and macro's code, the dbt vars but the evaluation
time) and of the load ledger. The next run allows a passed test to read only the changed rows
when all of that still holds: the warehouse was last built through that very load with that
ledger, and the code and policy did not change. Otherwise, and for every test that warned,
failed or did not run, every test reads every row.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from orchestration.warehouse import connect, table_exists

STATE_FILE = "softspam_test_scope.json"
ENV = "SOFTSPAM_TEST_SCOPE"
STAMPED_SCOPE = "evaluated_rows"
# the evaluation time changes every day without changing what a stamped row says
UNFINGERPRINTED_VARS = ("as_of",)


def project_fingerprint(manifest: dict[str, Any], dbt_vars: dict[str, Any]) -> str:
    """Of the code dbt runs (nodes' checksums, macros' SQL) and the policy (vars but as_of)."""
    digest = hashlib.sha256()
    for unique_id, node in sorted(manifest.get("nodes", {}).items()):
        digest.update(f"{unique_id}={(node.get('checksum') or {}).get('checksum', '')}\n".encode())
    for unique_id, macro in sorted(manifest.get("macros", {}).items()):
        code = hashlib.sha256(macro.get("macro_sql", "").encode()).hexdigest()
        digest.update(f"{unique_id}={code}\n".encode())
    policy = {key: value for key, value in dbt_vars.items() if key not in UNFINGERPRINTED_VARS}
    digest.update(json.dumps(policy, sort_keys=True, default=str).encode())
    return digest.hexdigest()


@functools.cache
def stamped_models() -> tuple[tuple[str, str], ...]:
    """(schema, table) of the models stamped with the build that wrote each row: those whose YAML
    sets ``meta: {test_scope: evaluated_rows}``, read from the project's dbt manifest."""
    from orchestration.assets.dbt import prepare_manifest  # here: that module imports this one

    manifest = json.loads(prepare_manifest().read_text(encoding="utf-8"))
    return tuple(
        sorted(
            (node["schema"], node["alias"])
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model"
            and node.get("config", {}).get("meta", {}).get("test_scope") == STAMPED_SCOPE
        )
    )


def warehouse_state(warehouse: Path) -> tuple[int | None, str | None]:
    """(the load the stamped models were last built through, a digest of the ledger up to it).

    None when the warehouse or a stamped model is missing or empty, or when the two disagree."""
    if not Path(warehouse).is_file():
        return None, None
    with connect(warehouse, read_only=True) as connection:
        stamps = set()
        for schema, table in stamped_models():
            if not table_exists(connection, schema, table):
                return None, None
            stamps.add(
                connection.execute(
                    f"select max(evaluated_through_load_id) from {schema}.{table}"  # noqa: S608 (constants)
                ).fetchone()[0]
            )
        if len(stamps) != 1 or None in stamps or not table_exists(connection, "raw", "load_ledger"):
            return None, None
        through = int(stamps.pop())
        ledger = connection.execute(
            "select md5(coalesce(string_agg(to_json(ledger)::varchar, '\n' order by load_id), '')) "
            "from raw.load_ledger as ledger where load_id <= ?",
            [through],
        ).fetchone()[0]
    return through, ledger


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def allowed_scope(target: Path, before_build: tuple[int | None, str | None], fingerprint: str) -> dict | None:
    """What SOFTSPAM_TEST_SCOPE carries for this build's tests, or None (every test reads all).

    ``before_build``: warehouse_state() read before this build; ``fingerprint``: this build's."""
    state = _read_json(Path(target) / STATE_FILE)
    through, ledger = before_build
    if not state or through is None:
        return None
    if (state.get("through_load_id"), state.get("ledger"), state.get("fingerprint")) != (
        through,
        ledger,
        fingerprint,
    ):
        return None
    return {"after_load_id": through, "passed": sorted(state.get("passed", []))}


def record(target: Path, warehouse: Path, fingerprint: str) -> dict | None:
    """After `dbt test`: the tests that passed on this build, for the next build's scope.

    Without this invocation's test results (dbt test did not run or did not finish) the record
    is removed, so the next build tests every row."""
    path = Path(target) / STATE_FILE
    results = _read_json(Path(target) / "run_results.json") or {}
    tested = [found for found in results.get("results", []) if found.get("unique_id", "").startswith("test.")]
    through, ledger = warehouse_state(warehouse)
    if not tested or through is None:
        path.unlink(missing_ok=True)
        return None
    state = {
        "through_load_id": through,
        "ledger": ledger,
        "fingerprint": fingerprint,
        "passed": sorted(result["unique_id"] for result in tested if result.get("status") == "pass"),
    }
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return state
