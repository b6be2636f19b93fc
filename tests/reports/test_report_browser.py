"""Open report.html in a real headless Chromium: it renders, its script runs, it loads nothing."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from orchestration.reports import write_outputs
from orchestration.reports.run_checks import CheckOutcome, RunChecks

from .fixture_warehouse import add_propagation_mart

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--enable-logging=stderr",
    "--v=0",
]
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (Debian package `chromium`)"
)


def run_chromium(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    command = [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)


def page_problems(stderr: str) -> list[str]:
    """Any console message (the report logs none: an uncaught error, or the CSP blocking an
    attempted external load, shows up as one) and any failed network request."""
    patterns = (r":CONSOLE", r"Uncaught", r"Content Security Policy", r"Refused to", r"net::ERR_")
    return [line for line in stderr.splitlines() if any(re.search(pattern, line) for pattern in patterns)]


def test_report_renders_offline_without_errors(warehouse: Path, tmp_path: Path) -> None:
    add_propagation_mart(warehouse)
    output = tmp_path / "output"
    checks = RunChecks(evaluated=3, failed=[CheckOutcome("gx_sends", "raw/sends", "ERROR", "rows 3")])
    write_outputs(warehouse, output, checks)
    report_url = (output / "report.html").as_uri()

    dom = run_chromium(tmp_path, "--dump-dom", report_url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert 'data-ready="true"' in dom.stdout  # our script ran to its end
    assert "5 of 5 rows shown" in dom.stdout
    assert "1 failed check in this run: gx_sends" in dom.stdout
    assert 'id="propagation-table"' in dom.stdout and dom.stdout.count("<polyline") == 2
    assert page_problems(dom.stderr) == []

    # Kept for a human look at the layout.
    screenshot = output / "report_screenshot.png"
    shot = run_chromium(tmp_path, f"--screenshot={screenshot}", "--window-size=1280,2000", report_url)
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert page_problems(shot.stderr) == []


def test_a_page_that_reaches_out_is_caught(tmp_path: Path) -> None:
    """The detector itself works: an external script is refused by the CSP and reported."""
    page = tmp_path / "leaky.html"
    page.write_text(
        "<!DOCTYPE html><html><head>"
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
        '<script src="http://example.invalid/x.js"></script></head><body>x</body></html>',
        encoding="utf-8",
    )
    dom = run_chromium(tmp_path, "--dump-dom", page.as_uri())
    assert page_problems(dom.stderr) != []
