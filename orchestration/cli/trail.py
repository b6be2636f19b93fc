"""`softspam trail`: a person's full timeline and current eligibility per category."""

from __future__ import annotations

import argparse

from orchestration.cli.common import EXIT_OK, shared_options, warehouse_path
from orchestration.errors import SoftspamError
from orchestration.publish import latest_published


def trail_command(args: argparse.Namespace) -> int:
    # Imported here so that a broken reports module only breaks the commands that need it.
    try:
        from orchestration.reports.trail import format_trail_text, load_trail, trail_as_json
    except ImportError as exc:
        raise SoftspamError(f"the reports module is not available ({exc})") from exc
    # the copy the last run published: the warehouse itself may be a run's, being written
    published, _ = latest_published(warehouse_path(args))
    trail = load_trail(published, args.email)
    output_format = getattr(args, "format", None) or "text"
    print(trail_as_json(trail) if output_format == "json" else format_trail_text(trail))
    return EXIT_OK


def add_parser(commands: argparse._SubParsersAction) -> None:
    trail = commands.add_parser(
        "trail",
        parents=[shared_options("--warehouse")],
        help="a person's full timeline and current eligibility per category",
        description="Print a person's full timeline (sales, consents, oppositions, sends, violations) "
        "and current eligibility per category, from the copy of the warehouse that the last "
        "`softspam run` published.",
    )
    trail.add_argument("email", metavar="EMAIL", help="the person's e-mail address")
    trail.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    trail.set_defaults(handler=trail_command, error_prefix="error: ")
