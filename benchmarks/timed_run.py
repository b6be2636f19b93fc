"""`softspam run` with its time split by stage, for benchmarks/run.py.

``python -m benchmarks.timed_run STAGES_JSON <softspam run arguments>`` runs the real command line
in this process and writes to STAGES_JSON where the time went: each Dagster step's duration
(the run's STEP_SUCCESS events), the Great Expectations validation inside the ingestion steps
(timed around ``orchestration.quality.validate_kind`` and ``write_result``, which those steps
look up at call time) and the wall time of the pipeline and of the whole process. Only
observation is added: the run itself is the product's, argument for argument.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

STARTED = time.perf_counter()


def _timed(function: Callable[..., Any], totals: dict[str, float], key: str) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            totals[key] = totals.get(key, 0.0) + time.perf_counter() - began

    return wrapper


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        raise SystemExit("usage: python -m benchmarks.timed_run STAGES_JSON [softspam run arguments]")
    destination, arguments = Path(argv[0]), argv[1:]
    import orchestration.cli.run as cli_run
    import orchestration.quality as quality
    from orchestration.cli import main as cli_main

    totals: dict[str, float] = {}
    for name in ("validate_kind", "write_result"):
        setattr(quality, name, _timed(getattr(quality, name), totals, "gx"))
    steps: dict[str, float] = {}
    execute = cli_run.execute_pipeline

    def observed(settings: Any, progress: Any = None) -> Any:
        result, summary = _timed(execute, totals, "pipeline")(settings, progress)
        for event in result.all_events:
            if event.event_type_value == "STEP_SUCCESS":
                steps[event.step_key] = event.event_specific_data.duration_ms / 1000
        return result, summary

    cli_run.execute_pipeline = observed
    code = cli_main(["run", *arguments])
    destination.write_text(
        json.dumps(
            {
                "steps": steps,
                "gx": totals.get("gx", 0.0),
                "pipeline": totals.get("pipeline", 0.0),
                "process": time.perf_counter() - STARTED,
            },
            indent=2,
        )
    )
    return code


if __name__ == "__main__":
    raise SystemExit(main())
