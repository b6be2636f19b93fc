"""A small company's landing folder, built up run by run, and the warehouse's marts after each run.

The pipeline's own pieces, in process and without the checks and reports a run adds (they do not
change the marts): the reference overrides, ingestion of every kind in the job's order, and one
`dbt build` of seeds and models. `incremental_equals_full` replays the same landings into a fresh
warehouse, ingesting them in the same order, and builds once: the marts must be equal.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.cli.main import dbtRunner

from orchestration.config import PROJECT_DIR, Settings
from orchestration.ingestion import KINDS, ingest_kind, load_reference_overrides

AS_OF = "2026-11-01T00:00:00+00:00"

# every public mart, as compared: an order-free set of rows
MARTS = (
    "sends_checked",
    "violations",
    "audience_eligibility",
    "soft_spam_authorizations",
    "suppression_list",
    "alignment_gaps",
    "person_timeline",
    "data_quality_findings",
)

CANONICAL_HEADERS = {
    "sales": ["order_id", "line_id", "email", "product_category", "ordered_at", "source_system",
              "is_paid", "status", "soft_spam_opt_out"],
    "sends": ["send_id", "campaign_id", "channel", "email", "promoted_category", "legal_basis", "sent_at",
              "has_opt_out_link", "source_system"],
    "oppositions": ["opposition_id", "email", "scope", "opposed_at", "source_system"],
    "consents": ["consent_id", "email", "channel", "status", "event_at", "source_system"],
}  # fmt: skip


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_policy(path: Path, settings: dict[str, object]) -> Path:
    path.write_text("".join(f"{key}: {json.dumps(value)}\n" for key, value in settings.items()))
    return path


@dataclass
class Company:
    """A landing folder and a warehouse built from it run by run (``run``), with every landing
    step remembered so that a fresh warehouse can be built from the same files (``full_build``)."""

    root: Path
    steps: list[list[tuple[str, bytes]]] = field(default_factory=list)
    pending: list[tuple[str, bytes]] = field(default_factory=list)
    runs: int = 0

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse" / "softspam.duckdb"

    def land(self, relative: str, header: list[str], rows: list[dict[str, str]]) -> Path:
        path = write_csv(self.landing / relative, header, rows)
        self.pending.append((relative, path.read_bytes()))
        return path

    def land_canonical(self, kind: str, name: str, rows: list[dict[str, str]]) -> Path:
        return self.land(f"{kind}/{name}", CANONICAL_HEADERS[kind], rows)

    def land_bytes(self, relative: str, content: bytes) -> None:
        target = self.landing / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        self.pending.append((relative, content))

    def run(self, policy: dict[str, object] | None = None, as_of: str = AS_OF) -> None:
        build(self.landing, self.warehouse, self.root / f"policy_{self.runs}.yml", policy, as_of)
        self.steps.append(self.pending)
        self.pending = []
        self.runs += 1

    def full_build(self, policy: dict[str, object] | None = None, as_of: str = AS_OF) -> Path:
        """A fresh warehouse: the same files landed in the same order, one build at the end."""
        fresh = self.root / "fresh"
        shutil.rmtree(fresh, ignore_errors=True)
        landing, warehouse = fresh / "landing", fresh / "warehouse" / "softspam.duckdb"
        settings = _settings(landing, warehouse, fresh / "policy.yml", policy, as_of)
        for step in self.steps:
            for relative, content in step:
                target = landing / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
            _ingest(settings)
        _dbt_build(settings)
        return warehouse


def _settings(
    landing: Path, warehouse: Path, policy_path: Path, policy: dict[str, object] | None, as_of: str
) -> Settings:
    landing.mkdir(parents=True, exist_ok=True)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    policy_file = write_policy(policy_path, policy) if policy else None
    return Settings.resolve(landing, warehouse, warehouse.parent / "output", policy_file, as_of)


def _ingest(settings: Settings) -> None:
    load_reference_overrides(settings.landing, settings.warehouse)
    for kind in KINDS:
        ingest_kind(settings.landing, settings.warehouse, kind, settings.policy["timezone"])


def _dbt_build(settings: Settings) -> None:
    settings.export_env()
    target = settings.warehouse.parent / "dbt_target"
    result = dbtRunner().invoke(
        [
            "build",
            "--quiet",
            "--exclude-resource-type",
            "test",
            "--exclude-resource-type",
            "unit_test",
            "--vars",
            json.dumps(settings.dbt_vars(), default=str),
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(target / "logs"),
        ]
    )
    # dbt-duckdb keeps its DuckDB instance open for the process: release it, so that ingestion
    # and the tests' own connections can open the file again
    if DuckDBConnectionManager._ENV is not None:
        DuckDBConnectionManager._ENV.close()
        DuckDBConnectionManager._ENV = None
    if not result.success:
        raise AssertionError(f"dbt build failed: {result.exception or result.result}")


def build(
    landing: Path, warehouse: Path, policy_path: Path, policy: dict[str, object] | None, as_of: str
) -> None:
    settings = _settings(landing, warehouse, policy_path, policy, as_of)
    saved = dict(os.environ)
    try:
        _ingest(settings)
        _dbt_build(settings)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return sorted(connection.execute(sql).fetchall(), key=repr)


def marts(warehouse: Path) -> dict[str, list[tuple]]:
    return {name: rows(warehouse, f"select * from marts.{name}") for name in MARTS}  # noqa: S608


def differences(incremental: Path, fresh: Path) -> dict[str, tuple[list[tuple], list[tuple]]]:
    """Per mart, the rows only the incremental warehouse has and those only the fresh one has."""
    built, expected = marts(incremental), marts(fresh)
    found = {}
    for name in MARTS:
        extra = [row for row in built[name] if row not in expected[name]]
        missing = [row for row in expected[name] if row not in built[name]]
        if extra or missing:
            found[name] = (extra, missing)
    return found
