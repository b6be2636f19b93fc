"""`softspam`: the command line (docs/formats.md section 4), a module per command.

Exit codes: 0 the command did its job (whatever it found); 1 `run --fail-on-violations` found
violations; 2 the command could not run (one line on stderr says why).
"""

from orchestration.cli.parser import build_parser, main

__all__ = ["build_parser", "main"]
