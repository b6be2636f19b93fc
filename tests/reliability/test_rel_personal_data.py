"""Personal data: the Dagster UI listens on localhost only; no address reaches a log.

The logs checked are those of the demo scenario (conftest.py ``lifecycle``: `softspam demo
--scale 200` plus hostile sends, five `softspam run`s): every run's stdout and stderr, the output
folder's logs/ and gx/ results, and what the runs appended to dbt's log.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from orchestration.config import PROJECT_DIR
from orchestration.ingestion import KINDS
from orchestration.reports.atomic import write_text_atomic

ADDRESS_LIKE = re.compile(r"[^\s\"'`,;:<>()\[\]{}|=]+@[^\s\"'`,;:<>()\[\]{}|=]+")


def _landing_addresses(landing: Path) -> set[str]:
    found: set[str] = set()
    for kind in KINDS:
        for path in (landing / kind).rglob("*"):
            if path.is_file():
                text = path.read_text(encoding="utf-8", errors="replace").lower()
                found |= {token.strip(".") for token in ADDRESS_LIKE.findall(text)}
    return {address for address in found if "." in address.split("@")[-1]}


def _leaks(addresses: set[str], text: str) -> set[str]:
    tokens = set(ADDRESS_LIKE.findall(text.lower()))
    return {address for address in addresses for token in tokens if address in token}


def test_make_dagster_serves_the_ui_on_localhost_only() -> None:
    makefile = (PROJECT_DIR / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^dagster:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe is not None
    [serve] = [line for line in recipe.group(1).splitlines() if "dagster dev" in line]
    assert re.search(r"\s-h 127\.0\.0\.1(\s|$)", serve)
    assert "0.0.0.0" not in makefile and "--host" not in serve


@pytest.mark.slow
def test_no_landing_address_appears_in_any_log(lifecycle: dict[str, Any]) -> None:
    addresses = _landing_addresses(lifecycle["landing"])
    assert len(addresses) > 200  # the demo's persons and the hostile ones
    assert "injection@hostile.example.test" in addresses
    logs = {f"captured {i}": text for i, text in enumerate(lifecycle["captured"])}
    for folder in ("logs", "gx"):
        for path in (lifecycle["output"] / folder).rglob("*"):
            if path.is_file():
                logs[str(path)] = path.read_text(encoding="utf-8", errors="replace")
    logs["dbt.log (appended by the runs)"] = lifecycle.get("dbt_log", "")
    assert len(logs) >= 2 * 5 + 2
    assert {
        name: sorted(_leaks(addresses, text))[:3] for name, text in logs.items() if _leaks(addresses, text)
    } == {}


def test_published_files_get_the_mode_of_a_plain_write(tmp_path: Path) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("x", encoding="utf-8")
    target = write_text_atomic(tmp_path / "report.html", "<html></html>\n")
    assert os.stat(target).st_mode == os.stat(plain).st_mode
