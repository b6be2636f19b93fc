"""The run's settings as a Dagster resource, holding the warehouse lock for the whole run."""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from orchestration.config import Settings
from orchestration.run_lock import ensure_not_open_elsewhere, warehouse_lock


class SoftspamSettings(dg.ConfigurableResource):
    """Paths and policy of a run. Unset fields fall back to the environment, then the defaults
    (orchestration.config.Settings.resolve), so `dagster dev` and `softspam run` agree."""

    landing: str | None = None
    warehouse: str | None = None
    output: str | None = None
    policy_file: str | None = None
    as_of: str | None = None
    engine: str | None = None
    lock_wait_seconds: float = 0.0

    def resolve(self) -> Settings:
        return Settings.resolve(
            landing=self.landing,
            warehouse=self.warehouse,
            output=self.output,
            policy_file=self.policy_file,
            as_of=self.as_of,
            engine=self.engine,
        )

    @property
    def settings(self) -> Settings:
        return self.resolve()

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator["SoftspamSettings"]:
        # Resolved once per run (the job uses the in-process executor): the lock is held from the
        # first ingestion step to the last check, so no other run writes the DuckDB file meanwhile.
        settings = self.resolve()
        settings.export_env()  # dbt's profiles.yml reads SOFTSPAM_WAREHOUSE
        settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
        with warehouse_lock(settings.warehouse, wait_seconds=self.lock_wait_seconds):
            # an analyst's open DuckDB session would fail the first write half-way: say so now
            ensure_not_open_elsewhere(settings.warehouse, wait_seconds=self.lock_wait_seconds)
            yield self
