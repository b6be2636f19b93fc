from __future__ import annotations

import re
from pathlib import Path

import pytest

from orchestration.reports import report_data, write_outputs

from .fixture_warehouse import build_fixture_warehouse


def render(warehouse: Path, output: Path) -> str:
    write_outputs(warehouse, output)
    return (output / "report.html").read_text(encoding="utf-8")


def test_source_text_is_escaped_never_executed(warehouse: Path, tmp_path: Path) -> None:
    page = render(warehouse, tmp_path)
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    # Only our own script block.
    assert page.count("<script>") == 1


def test_page_loads_nothing_from_outside(warehouse: Path, tmp_path: Path) -> None:
    page = render(warehouse, tmp_path)
    assert "Content-Security-Policy" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "url(" not in page


def test_headline_figures(warehouse: Path, tmp_path: Path) -> None:
    page = render(warehouse, tmp_path)
    # 6 sends, 2 compliant; 5 violations: 3 critical, 1 high, 1 warning; 2 alignment gaps; 5 rows quarantined.
    assert re.search(r"Sends judged</div><div class=\"value \">6<", page)
    assert "33.3%" in page
    assert '<span class="badge critical">3 critical</span>' in page
    assert '<span class="badge high">1 high</span>' in page
    assert '<span class="badge warning">1 warning</span>' in page
    assert re.search(r"Alignment gaps</div><div class=\"value bad\">2<", page)
    assert re.search(r"Rows quarantined</div><div class=\"value bad\">5<", page)


def test_rules_show_legal_reference_and_rules_that_never_fired(warehouse: Path, tmp_path: Path) -> None:
    page = render(warehouse, tmp_path)
    assert "GDPR art. 21(3); Garante doc. web 9819285" in page
    assert "<code>NOT_ANALOGOUS</code>" in page  # in the reference, zero violations


def test_sections_by_week_campaign_application_alignment_and_quality(warehouse: Path, tmp_path: Path) -> None:
    page = render(warehouse, tmp_path)
    for iso_week in ("2026-W06", "2026-W07", "2026-W08"):
        assert iso_week in page
    assert "<svg" in page
    assert "<code>=1+1</code>" in page  # campaign ids are shown as data, never as formulas in HTML
    assert "unparseable ordered_at" in page
    assert "header matches no known format" in page
    assert "<code>sms_gateway</code>" in page


def test_report_tolerates_missing_rules_and_quarantine(tmp_path: Path) -> None:
    warehouse = build_fixture_warehouse(tmp_path / "w.duckdb", with_rules=False, with_quarantine=False)
    page = render(warehouse, tmp_path / "out")
    assert "reference.compliance_rules is not in the warehouse" in page
    assert "raw.quarantine is not in the warehouse" in page
    assert "<code>SENT_AFTER_OPPOSITION</code>" in page


def test_detail_is_capped_most_severe_first_with_a_note(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_data, "DETAIL_ROW_CAP", 2)
    page = render(warehouse, tmp_path)
    detail = page[page.index('id="detail-table"') :]
    assert detail.count("<tr data-severity=") == 2
    assert detail.count('data-severity="critical"') == 2
    assert "Showing the 2 most severe, most recent of 5 violations. violations.csv holds all 5 rows." in page
