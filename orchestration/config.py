"""Where things are and which policy applies: one place for paths and policy settings.

Paths come from arguments, else environment variables (SOFTSPAM_LANDING, SOFTSPAM_WAREHOUSE,
SOFTSPAM_OUTPUT), else the defaults of docs/formats.md. Policy defaults are the dbt vars in
``dbt_project.yml``; a ``--policy`` YAML file overrides them for one run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from orchestration.errors import SoftspamError

PROJECT_DIR = Path(os.environ.get("SOFTSPAM_PROJECT_DIR", Path(__file__).resolve().parents[1]))
POLICY_KEYS = (
    "timezone",
    "opposition_grace_hours",
    "authorization_window_months",
    "withdrawal_is_opposition",
    "controller",
)


class ConfigError(SoftspamError, ValueError):
    """A setting that cannot be used; the message says which and why."""


def default_policy() -> dict[str, Any]:
    """The policy vars of dbt_project.yml."""
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return {key: project["vars"][key] for key in POLICY_KEYS}


def load_policy(policy_file: str | Path | None) -> dict[str, Any]:
    """Defaults overridden by the YAML file, if any. Unknown keys are an error, not ignored."""
    policy = default_policy()
    if policy_file is None:
        return policy
    path = Path(policy_file)
    try:
        overrides = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"policy file {path}: cannot be read ({exc})") from exc
    if not isinstance(overrides, dict):
        raise ConfigError(f"policy file {path}: expected a mapping of setting: value")
    unknown = sorted(set(overrides) - set(POLICY_KEYS))
    if unknown:
        raise ConfigError(f"policy file {path}: unknown settings {unknown}; known: {list(POLICY_KEYS)}")
    policy.update(overrides)
    validate_policy(policy, source=str(path))
    return policy


def validate_policy(policy: dict[str, Any], source: str = "policy") -> None:
    """Types and ranges of docs/rules.md section 6, checked before any value reaches SQL."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    def fail(key: str, expected: str) -> None:
        raise ConfigError(f"{source}: {key} = {policy[key]!r} is not {expected}")

    try:
        ZoneInfo(str(policy["timezone"]))
    except (ZoneInfoNotFoundError, ValueError):
        fail("timezone", "an IANA time zone such as Europe/Rome")
    grace = policy["opposition_grace_hours"]
    if isinstance(grace, bool) or not isinstance(grace, int) or grace < 0:
        fail("opposition_grace_hours", "a whole number of hours >= 0")
    window = policy["authorization_window_months"]
    if window not in (None, "") and (isinstance(window, bool) or not isinstance(window, int) or window <= 0):
        fail("authorization_window_months", "a whole number of months > 0, or empty to disable the rule")
    if not isinstance(policy["withdrawal_is_opposition"], bool):
        fail("withdrawal_is_opposition", "true or false")
    controller = policy["controller"]
    if not isinstance(controller, str) or not controller.strip() or "'" in controller:
        fail("controller", "a company name (text without quotes)")


def resolve_engine(engine: str | None) -> str:
    """--engine, else SOFTSPAM_ENGINE, else duckdb; anything else is an error."""
    from orchestration.spark import ENGINES

    chosen = (engine or os.environ.get("SOFTSPAM_ENGINE") or "duckdb").strip().lower()
    if chosen not in ENGINES:
        raise ConfigError(f"engine {chosen!r} is not one of {', '.join(ENGINES)}")
    return chosen


def resolve_as_of(as_of: str | None, timezone: str) -> str | None:
    """--as-of as UTC ISO text (``+00:00``); a local time is read in the policy zone by the rule
    of orchestration.timezones. None (or empty) stays None: the run's time."""
    from orchestration.timezones import read_instant, utc_iso

    if not as_of:
        return None
    try:
        return utc_iso(read_instant(str(as_of), timezone))
    except ValueError as exc:
        raise ConfigError(
            f"--as-of {as_of!r} is not an ISO 8601 timestamp (e.g. 2026-03-01T10:00:00+01:00)"
        ) from exc


@dataclass(frozen=True)
class Settings:
    landing: Path
    warehouse: Path
    output: Path
    policy: dict[str, Any] = field(default_factory=default_policy)
    # eligibility's evaluation time as UTC ISO text (+00:00), read once by resolve_as_of so that
    # dbt and every other reader get the same instant; None = the run's time
    as_of: str | None = None
    engine: str = "duckdb"  # where dbt builds the models: duckdb or spark (orchestration/spark)

    @classmethod
    def resolve(
        cls,
        landing: str | Path | None = None,
        warehouse: str | Path | None = None,
        output: str | Path | None = None,
        policy_file: str | Path | None = None,
        as_of: str | None = None,
        engine: str | None = None,
    ) -> Settings:
        def pick(value: str | Path | None, env: str, default: str) -> Path:
            return Path(value or os.environ.get(env) or default).resolve()

        policy = load_policy(policy_file or os.environ.get("SOFTSPAM_POLICY"))
        return cls(
            landing=pick(landing, "SOFTSPAM_LANDING", "landing"),
            warehouse=pick(warehouse, "SOFTSPAM_WAREHOUSE", "warehouse/softspam.duckdb"),
            output=pick(output, "SOFTSPAM_OUTPUT", "output"),
            policy=policy,
            as_of=resolve_as_of(as_of or os.environ.get("SOFTSPAM_AS_OF"), policy["timezone"]),
            engine=resolve_engine(engine),
        )

    @property
    def spark_dir(self) -> Path:
        """Spark's tables, metastore and landed Parquet, beside the DuckDB file (always derived,
        never read back from the environment: a long-lived Dagster process serves many runs)."""
        from orchestration.spark import spark_dir_for

        return spark_dir_for(self.warehouse)

    @property
    def dbt_target(self) -> str:
        """The profiles.yml output of the engine."""
        return self.engine

    def dbt_vars(self) -> dict[str, Any]:
        """Vars for every dbt invocation of this run."""
        return {**self.policy, "as_of": self.as_of}

    def export_env(self) -> None:
        """Make the paths visible to dbt (profiles.yml) and to Dagster resources."""
        os.environ["SOFTSPAM_LANDING"] = str(self.landing)
        os.environ["SOFTSPAM_WAREHOUSE"] = str(self.warehouse)
        os.environ["SOFTSPAM_OUTPUT"] = str(self.output)
        os.environ["SOFTSPAM_ENGINE"] = self.engine
        os.environ["SOFTSPAM_SPARK_DIR"] = str(self.spark_dir)
        if self.as_of:
            os.environ["SOFTSPAM_AS_OF"] = self.as_of
