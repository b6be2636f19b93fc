"""`softspam evidence`: an evidence pack for an inspection, for a person, a send or a campaign."""

from __future__ import annotations

import argparse
from pathlib import Path

from orchestration.cli.common import EXIT_OK, output_folder, shared_options, warehouse_path


def evidence_command(args: argparse.Namespace) -> int:
    from orchestration.reports.evidence import Selector, build_pack  # loaded only when run

    selector = Selector.of(email=args.email, send=args.send, campaign=args.campaign)
    out = Path(args.out) if args.out else output_folder() / "evidence"
    result = build_pack(warehouse_path(args), selector, out, as_of=args.as_of)
    pages = f", {result.pages} pages of sends" if result.pages else ""
    print(
        f"Evidence pack ({selector.kind}, {result.sends} sends, {result.facts} other facts{pages}, "
        f"from the {result.source}, {result.seconds:.1f} s):\n  {result.folder}\n  {result.archive}"
    )
    return EXIT_OK


def add_parser(commands: argparse._SubParsersAction) -> None:
    evidence = commands.add_parser(
        "evidence",
        parents=[shared_options("--warehouse")],
        help="an evidence pack for an inspection: a person's, a send's or a campaign's",
        description="Write an evidence pack, one folder and a .zip of it: index.html (each send's "
        "verdict per rule, the rule's text and legal reference, and the facts that decided it), "
        "facts.csv (every fact with its landed file, line and SHA-256), timeline.csv, "
        "eligibility.csv and MANIFEST.sha256. Reads the copy of the warehouse that the last "
        "`softspam run` published when it holds what the pack needs, else the warehouse read-only.",
    )
    subject = evidence.add_mutually_exclusive_group(required=True)
    subject.add_argument("--email", metavar="ADDR", help="a person, by e-mail address")
    subject.add_argument(
        "--send",
        metavar="ID",
        help="a send, by send_id (every source system's send of that id), or source_system:send_id",
    )
    subject.add_argument("--campaign", metavar="ID", help="every send of a campaign, by campaign_id")
    evidence.add_argument(
        "--out",
        metavar="DIR",
        help="folder to write the pack in (default: $SOFTSPAM_OUTPUT/evidence or ./output/evidence)",
    )
    evidence.add_argument(
        "--as-of",
        metavar="TS",
        help="evaluation time of eligibility.csv, ISO 8601 (default: the last run's evaluation); "
        "sends are always judged at their own time",
    )
    evidence.set_defaults(handler=evidence_command, error_prefix="error: ")
