"""What the commands share: exit codes, the shared options, progress lines, the one-line reason."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_CANNOT_RUN = 2
DEFAULT_WAREHOUSE = Path("warehouse") / "softspam.duckdb"

# One spelling, metavar and help per shared option, whichever command offers it.
_SHARED_OPTIONS: dict[str, dict[str, Any]] = {
    "--landing": {"metavar": "DIR", "help": "landing folder (default: $SOFTSPAM_LANDING or ./landing)"},
    "--warehouse": {
        "metavar": "FILE",
        "help": "DuckDB file (default: $SOFTSPAM_WAREHOUSE or ./warehouse/softspam.duckdb)",
    },
    "--output": {"metavar": "DIR", "help": "reports folder (default: $SOFTSPAM_OUTPUT or ./output)"},
    "--policy": {"metavar": "FILE", "help": "YAML file of policy settings overriding dbt_project.yml"},
}


def shared_options(*flags: str) -> argparse.ArgumentParser:
    """A parent parser (argparse ``parents=``) with the named shared options."""
    parent = argparse.ArgumentParser(add_help=False)
    for flag in flags:
        parent.add_argument(flag, **_SHARED_OPTIONS[flag])
    return parent


def warehouse_path(args: argparse.Namespace) -> Path:
    return Path(getattr(args, "warehouse", None) or os.environ.get("SOFTSPAM_WAREHOUSE") or DEFAULT_WAREHOUSE)


def output_folder() -> Path:
    """The reports folder a command writes into when not told: $SOFTSPAM_OUTPUT, else ./output."""
    return Path(os.environ.get("SOFTSPAM_OUTPUT") or "output")


def first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), text.strip())


def progress_printer() -> Callable[[str], None]:
    """Stage lines on stderr for a person at a terminal; nothing in pipes, cron and CI."""
    if not sys.stderr.isatty():
        return lambda message: None
    started = time.monotonic()

    def show(message: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    return show
