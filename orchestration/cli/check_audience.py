"""`softspam check-audience`: judge a planned audience with the eligibility rules."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from orchestration.cli.common import EXIT_OK, output_folder, shared_options, warehouse_path
from orchestration.errors import SoftspamError
from orchestration.publish import latest_published


def check_audience_command(args: argparse.Namespace) -> int:
    # Imported here so that a broken reports module only breaks the commands that need it.
    try:
        from orchestration.config import load_policy
        from orchestration.reports.audience import (
            judge_audience,
            parse_as_of,
            read_audience_file,
            summarise,
            write_verdicts,
        )
        from orchestration.reports.exports import safe_file_stem
    except ImportError as exc:
        raise SoftspamError(f"the reports module is not available ({exc})") from exc
    audience = read_audience_file(Path(args.file))
    # the copy the last run published: the warehouse itself may be a run's, being written
    published, manifest = latest_published(warehouse_path(args))
    channel = (getattr(args, "channel", None) or "email").strip().lower()
    category = args.category.strip().lower()
    evaluated_at = parse_as_of(
        getattr(args, "as_of", None), load_policy(os.environ.get("SOFTSPAM_POLICY"))["timezone"]
    )
    verdicts = judge_audience(published, audience, category, channel, evaluated_at)
    target = Path(
        getattr(args, "output", None) or output_folder() / f"audience_{safe_file_stem(category)}.csv"
    )
    write_verdicts(verdicts, target)
    print(summarise(verdicts, audience, channel))
    print(
        f"Verdicts ({category}, {channel}, as of {evaluated_at.strftime('%Y-%m-%d %H:%M:%S')} UTC, "
        f"build {manifest['build_id']}): {target}"
    )
    return EXIT_OK


def add_parser(commands: argparse._SubParsersAction) -> None:
    audience = commands.add_parser(
        "check-audience",
        parents=[shared_options("--warehouse")],
        help="judge a planned audience with the eligibility rules",
        description="Judge a planned audience (one address a line, or a CSV with an `email` column) "
        "for a product category; write the verdict per address and print a summary. Reads the copy "
        "of the warehouse that the last `softspam run` published.",
    )
    audience.add_argument("file", metavar="FILE", help="the audience file")
    audience.add_argument(
        "--category", required=True, metavar="C", help="product category the campaign promotes"
    )
    audience.add_argument("--channel", default="email", metavar="CHANNEL", help="channel (default: email)")
    audience.add_argument("--as-of", metavar="TS", help="evaluation time, ISO 8601 (default: now)")
    # Not the shared --output: this one names the verdicts file, not the reports folder.
    audience.add_argument("--output", metavar="FILE", help="verdicts CSV to write")
    audience.set_defaults(handler=check_audience_command, error_prefix="error: ")
