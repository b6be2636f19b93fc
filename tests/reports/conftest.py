from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.publish import publish

from .fixture_warehouse import build_fixture_warehouse


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return build_fixture_warehouse(tmp_path / "softspam.duckdb")


@pytest.fixture
def published_warehouse(warehouse: Path) -> Path:
    """The fixture warehouse as a run leaves it: its copy for readers published beside it."""
    publish(warehouse)
    return warehouse
