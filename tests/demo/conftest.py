from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from orchestration.demo import DemoSummary, generate_demo

SMALL_SCALE = 300


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    out = tmp_path_factory.mktemp("demo") / "landing"
    return out, generate_demo(out, scale=SMALL_SCALE)


@pytest.fixture(scope="session")
def expected_rules(demo: tuple[Path, DemoSummary]) -> dict[tuple[str, str], list[str]]:
    """(send_id, source_system) -> sorted expected rule codes, for every expected send."""
    out, _ = demo
    rules: dict[tuple[str, str], list[str]] = {}
    with (out / "_expected" / "sends.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rules[(row["send_id"], row["source_system"])] = []
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    with (out / "_expected" / "violations.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            found[(row["send_id"], row["source_system"])].append(row["rule_code"])
    for key, codes in found.items():
        rules[key] = sorted(codes)
    return rules
