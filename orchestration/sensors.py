"""Run when new files appear in the landing folder."""

import hashlib

import dagster as dg

from orchestration.config import ConfigError, Settings
from orchestration.run_lock import is_locked
from orchestration.schedules import WAREHOUSE_TAG, softspam_job


def pending_run_key(content_hashes: list[str]) -> str:
    """Same set of pending files -> same key, so Dagster never runs twice for the same files."""
    return hashlib.sha256("\n".join(sorted(content_hashes)).encode()).hexdigest()


@dg.sensor(
    name="landing_folder_sensor",
    job=softspam_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Requests a run when the landing folder holds files that were never loaded.",
)
def landing_folder_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    from orchestration.ingestion import pending_files

    try:
        settings = Settings.resolve()
    except ConfigError as exc:
        return dg.SkipReason(f"settings cannot be used: {exc}")
    if is_locked(settings.warehouse):
        # A run is writing; its files will not be pending next time, others will.
        return dg.SkipReason("a softspam run is writing the warehouse; checking again later")
    pending = pending_files(settings.landing, settings.warehouse)
    if not pending:
        return dg.SkipReason(f"no new files in {settings.landing}")
    names = sorted(p.file_name for p in pending)
    context.log.info(f"{len(pending)} new file(s): {', '.join(names[:10])}")
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=pending_run_key([p.content_sha256 for p in pending]),
                tags={**WAREHOUSE_TAG, "softspam/pending_files": str(len(pending))},
            )
        ]
    )
