"""`softspam demo`: a realistic, deterministic demo landing folder."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from orchestration.cli.common import EXIT_OK, progress_printer
from orchestration.errors import SoftspamError


def demo_command(args: argparse.Namespace) -> int:
    try:
        from orchestration.demo import generate_demo
    except ImportError as exc:
        raise SoftspamError(f"the demo generator is not available ({exc})") from exc
    out = Path(args.out or os.environ.get("SOFTSPAM_LANDING") or "landing")
    try:
        summary = generate_demo(out, scale=args.scale, seed=args.seed, progress=progress_printer())
    except (OSError, ValueError) as exc:
        raise SoftspamError(str(exc)) from exc
    lines = summary.lines() if hasattr(summary, "lines") else [f"demo landing folder written to {out}"]
    print("\n".join(lines))
    return EXIT_OK


def add_parser(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser(
        "demo",
        help="write a realistic, deterministic demo landing folder",
        description="Write a realistic, deterministic demo landing folder (same scale and seed, same bytes).",
    )
    demo.add_argument(
        "--scale", type=int, default=2000, metavar="N", help="background persons (default: 2000)"
    )
    demo.add_argument(
        "--out", metavar="DIR", help="folder to write (default: $SOFTSPAM_LANDING or ./landing)"
    )
    demo.add_argument(
        "--seed", type=int, default=20260301, metavar="N", help="random seed (default: 20260301)"
    )
    demo.set_defaults(handler=demo_command, error_prefix="softspam demo: could not run: ")
