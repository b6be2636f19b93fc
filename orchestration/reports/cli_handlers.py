"""Handlers for `softspam check-audience` and `softspam trail`, wired by orchestration/cli.py.

They return 0 when the command did its job (whatever it found); a ReportError (a SoftspamError)
is the one-line reason the command line prints when it could not.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from orchestration.config import load_policy
from orchestration.reports.audience import (
    judge_audience,
    parse_as_of,
    read_audience_file,
    summarise,
    write_verdicts,
)
from orchestration.reports.exports import safe_file_stem
from orchestration.reports.trail import format_trail_text, load_trail, trail_as_json

EXIT_OK = 0


def _warehouse(args: argparse.Namespace) -> Path:
    return Path(
        getattr(args, "warehouse", None)
        or os.environ.get("SOFTSPAM_WAREHOUSE")
        or "warehouse/softspam.duckdb"
    )


def check_audience_command(args: argparse.Namespace) -> int:
    audience = read_audience_file(Path(args.file))
    channel = (getattr(args, "channel", None) or "email").strip().lower()
    category = args.category.strip().lower()
    evaluated_at = parse_as_of(
        getattr(args, "as_of", None), load_policy(os.environ.get("SOFTSPAM_POLICY"))["timezone"]
    )
    verdicts = judge_audience(_warehouse(args), audience, category, channel, evaluated_at)
    target = Path(
        getattr(args, "output", None)
        or Path(os.environ.get("SOFTSPAM_OUTPUT") or "output") / f"audience_{safe_file_stem(category)}.csv"
    )
    write_verdicts(verdicts, target)
    print(summarise(verdicts, audience, channel))
    print(
        f"Verdicts ({category}, {channel}, as of {evaluated_at.strftime('%Y-%m-%d %H:%M:%S')} UTC): {target}"
    )
    return EXIT_OK


def trail_command(args: argparse.Namespace) -> int:
    trail = load_trail(_warehouse(args), args.email)
    output_format = getattr(args, "format", None) or "text"
    print(trail_as_json(trail) if output_format == "json" else format_trail_text(trail))
    return EXIT_OK
