"""The benchmark companies ("shapes") by name: how each landing folder is generated, and its extra day.

``demo`` is the project's own demo company (``softspam demo``); ``company_b`` is a second,
independently written company (benchmarks/shapes/company_b.py) whose exports are shaped the way
issue 17 found real ones: many quarterly files, other column orders, local and Italian times.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.incremental_day import DEMO_DAY, DayShape
from benchmarks.shapes import company_b

BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Shape:
    name: str
    generate: Callable[[Path, int], object]  # (landing folder, persons)
    is_generated: Callable[[Path, int], bool]  # the folder holds a finished generation of that size
    day: DayShape


def _generate_demo(landing: Path, persons: int) -> None:
    subprocess.run(
        [str(BIN / "softspam"), "demo", "--scale", str(persons), "--out", str(landing)], check=True
    )


def _demo_is_generated(landing: Path, persons: int) -> bool:
    # softspam demo writes its answer key last; the scale is in the folder's name (benchmarks.run)
    return (landing / "_expected").is_dir()


SHAPES: dict[str, Shape] = {
    "demo": Shape("demo", _generate_demo, _demo_is_generated, DEMO_DAY),
    "company_b": Shape("company_b", company_b.generate, company_b.is_generated, company_b.DAY),
}
