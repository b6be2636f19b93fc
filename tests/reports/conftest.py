from __future__ import annotations

from pathlib import Path

import pytest

from .fixture_warehouse import build_fixture_warehouse


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return build_fixture_warehouse(tmp_path / "softspam.duckdb")
