"""The `softspam` parser, its commands, and the one place a user error becomes the one line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from orchestration.cli import check_audience, demo, evidence, run, serve, trail
from orchestration.cli.common import EXIT_CANNOT_RUN, first_line
from orchestration.errors import SoftspamError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="softspam",
        description="Soft-spam compliance warehouse: is every promotional e-mail allowed "
        "(art. 130 c.4 Codice Privacy)?",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in (run, demo, check_audience, trail, evidence, serve):
        command.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except SoftspamError as exc:
        print(f"{args.error_prefix}{first_line(str(exc))}", file=sys.stderr)
        return EXIT_CANNOT_RUN
