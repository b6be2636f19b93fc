"""Test hooks outside ingestion, with the convention of orchestration/ingestion/hooks.py.

SOFTSPAM_FAIL_AT=<point> raises there; SOFTSPAM_PAUSE_AT=<point> prints
``SOFTSPAM_PAUSE_AT=<point>: paused (pid N)`` on stderr and waits (up to 60 s), so a crash test
can kill the process at a known moment. Points: ``ingest:<kind>`` (in ingestion), ``dbt`` (the dbt
build is under way: some models are built, others not) and ``report`` (a deliverable is written to
its temporary file, not yet renamed over the published one).
"""

from __future__ import annotations

from orchestration.ingestion.hooks import FAIL_AT, PAUSE_AT, InjectedFailure, checkpoint

__all__ = ["FAIL_AT", "PAUSE_AT", "InjectedFailure", "checkpoint"]
