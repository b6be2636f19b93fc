"""Bounded memory: the generator streams, so ten times more persons cost no more memory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PEAK_RSS = """
import resource, sys
from pathlib import Path
from orchestration.demo import generate_demo
generate_demo(Path(sys.argv[1]), scale=int(sys.argv[2]))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KiB on Linux
"""


def _peak_rss_kib(out: Path, scale: int) -> int:
    done = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, str(out), str(scale)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return int(done.stdout.split()[-1])


def test_peak_memory_does_not_grow_with_scale(tmp_path: Path) -> None:
    small = _peak_rss_kib(tmp_path / "small", 2_000)
    large = _peak_rss_kib(tmp_path / "large", 20_000)
    assert large - small < 20 * 1024, (small, large)
    assert sum(1 for _ in (tmp_path / "large/_expected/sends.csv").open()) > 150_000
