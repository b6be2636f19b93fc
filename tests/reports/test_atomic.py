from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.reports.atomic import atomic_path, write_text_atomic


def test_target_keeps_old_content_until_the_write_completes(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    with atomic_path(target) as temp_path:
        temp_path.write_text("half", encoding="utf-8")
        assert target.read_text(encoding="utf-8") == "old"
        assert temp_path.parent == target.parent
        assert temp_path.name.startswith(".report.html.")
    assert target.read_text(encoding="utf-8") == "half"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["report.html"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "violations.csv"
    target.write_text("complete,export\n", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_path(target) as temp_path:
        temp_path.write_text("partial", encoding="utf-8")
        raise RuntimeError("disk full")
    assert target.read_text(encoding="utf-8") == "complete,export\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["violations.csv"]


def test_write_text_atomic_creates_missing_directories(tmp_path: Path) -> None:
    target = tmp_path / "suppression" / "crm.csv"
    write_text_atomic(target, "person_key\n")
    assert target.read_text(encoding="utf-8") == "person_key\n"
