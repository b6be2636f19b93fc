"""`softspam serve`: the real-time eligibility service over the latest published build."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from orchestration.cli.common import EXIT_OK, shared_options, warehouse_path
from orchestration.errors import SoftspamError
from orchestration.serve import TOKEN_VARIABLE


def serve_command(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from orchestration.serve.app import create_app
    except ImportError as exc:
        raise SoftspamError(f"the service's packages are not installed ({exc}): pip install -e .") from exc
    landing = Path(args.landing or os.environ.get("SOFTSPAM_LANDING") or "landing")
    app = create_app(warehouse_path(args), landing, token=os.environ.get(TOKEN_VARIABLE) or None)
    # one process: the posted objections' overlay lives in it (several would not see each other's)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, access_log=False)
    return EXIT_OK


def add_parser(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser(
        "serve",
        parents=[shared_options("--landing", "--warehouse")],
        help="the real-time eligibility service (HTTP)",
        description="Answer 'may I contact this person about this category now?' over HTTP, from the "
        "copy of the warehouse the last `softspam run` published (swapped when a run publishes a new "
        "one), and record objections that take effect at once and land in the next run "
        "(<landing>/oppositions/journal/). Endpoints: GET /v1/eligibility, POST /v1/audience, POST "
        "/v1/oppositions, GET /healthz, GET /metrics, GET /docs (OpenAPI at /openapi.json).",
        epilog=f"Security: set {TOKEN_VARIABLE} to a secret; clients then send 'Authorization: Bearer "
        "<secret>' on every request but /healthz. Without it reads are open and writes are refused. "
        "Listens on 127.0.0.1 unless --host says otherwise.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8765, help="port (default: 8765)")
    serve.add_argument(
        "--log-level", default="warning", choices=("critical", "error", "warning", "info", "debug")
    )
    serve.set_defaults(handler=serve_command, error_prefix="error: ")
