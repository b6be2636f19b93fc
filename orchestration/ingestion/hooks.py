"""Test hooks that stop a load at a chosen point, inside its transaction.

SOFTSPAM_FAIL_AT=ingest:<kind> raises there (to prove the rollback); SOFTSPAM_PAUSE_AT=ingest:<kind>
waits there, up to 60 s or until the variable is cleared, so a crash test can kill the process.
"""

from __future__ import annotations

import os
import sys
import time

FAIL_AT = "SOFTSPAM_FAIL_AT"
PAUSE_AT = "SOFTSPAM_PAUSE_AT"
_PAUSE_SECONDS = 60.0
_POLL_SECONDS = 0.1


class InjectedFailure(RuntimeError):
    """Raised on purpose by SOFTSPAM_FAIL_AT."""


def checkpoint(point: str) -> None:
    """Fail or pause here when the environment asks for it at ``point`` (e.g. 'ingest:sends')."""
    if os.environ.get(FAIL_AT) == point:
        raise InjectedFailure(f"{FAIL_AT}={point}: failing on purpose")
    if os.environ.get(PAUSE_AT) == point:
        print(f"{PAUSE_AT}={point}: paused (pid {os.getpid()})", file=sys.stderr, flush=True)
        deadline = time.monotonic() + _PAUSE_SECONDS
        while os.environ.get(PAUSE_AT) == point and time.monotonic() < deadline:
            time.sleep(_POLL_SECONDS)
