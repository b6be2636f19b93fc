from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from orchestration.reports import report_data, write_outputs
from orchestration.reports.run_checks import CheckOutcome, RunChecks

from .fixture_warehouse import add_propagation_mart, build_fixture_warehouse


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
    assert "staging.stg_reference__compliance_rules is not in the warehouse" in page
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


def section_of(page: str, anchor: str) -> str:
    start = page.index(f'<section id="{anchor}">')
    return page[start : page.index("</section>", start)]


def test_reference_data_is_the_runs_not_the_seeds(warehouse: Path, tmp_path: Path) -> None:
    page = render(warehouse, tmp_path)
    assert "SEED, NOT THE RUN" not in page
    alignment = section_of(page, "alignment")
    assert "<code>sms_gateway</code>" in alignment  # marketing application of the run, no gap
    assert "seed_only_app" not in alignment


def test_quarantine_counts_rows_and_a_file_rejected_whole_counts_all_its_rows(
    warehouse: Path, tmp_path: Path
) -> None:
    quality = section_of(render(warehouse, tmp_path), "quality")
    reasons = quality[quality.index("Why rows were quarantined") :]
    assert '<th class="num">Rows quarantined</th><th class="num">Files</th>' in reasons
    # oppositions/weird.csv: 3 rows read, one raw.quarantine row for the whole file
    assert re.search(
        r"<td>oppositions</td><td>header matches no known format</td>"
        r'<td class="num">3</td><td class="num">1</td><td class="num">1</td>',
        reasons,
    )
    assert re.search(
        r"<td>sales</td><td>unparseable ordered_at</td>"
        r'<td class="num">2</td><td class="num">1</td><td class="num"><span class="zero">0</span></td>',
        reasons,
    )


def test_every_finding_type_the_mart_holds_is_shown_with_counts_and_examples(
    warehouse: Path, tmp_path: Path
) -> None:
    connection = duckdb.connect(str(warehouse))
    connection.execute(
        "insert into marts.data_quality_findings values ('ambiguous_local_time', 'sends', 'crm', 'S9', "
        "'sent_at 2026-10-25 02:30 is ambiguous in Europe/Rome; read as its first occurrence')"
    )
    connection.close()
    page = render(warehouse, tmp_path)
    findings = section_of(page, "findings")
    for finding_type in ("unknown_sku", "opposition_scope_defaulted", "ambiguous_local_time"):
        assert f"<code>{finding_type}</code>" in findings
    assert re.search(r'<code>unknown_sku</code></td><td>sales</td><td class="num">5</td>', findings)
    assert findings.count("is not in product_catalog") == 3  # a few examples, not all five
    assert "<code>OPP-&lt;b&gt;</code>" in findings  # source text escaped
    assert re.search(r"Data-quality findings</div><div class=\"value bad\">7<", page)


def test_report_tolerates_a_warehouse_without_findings(warehouse: Path, tmp_path: Path) -> None:
    connection = duckdb.connect(str(warehouse))
    connection.execute("drop table marts.data_quality_findings")
    connection.close()
    assert "marts.data_quality_findings is not in the warehouse" in render(warehouse, tmp_path)


def body_start(page: str) -> str:
    return page[page.index("<body>") + len("<body>") :].lstrip()


def test_first_lines_name_every_failed_check(warehouse: Path, tmp_path: Path) -> None:
    checks = RunChecks(
        evaluated=20,
        failed=[
            CheckOutcome("gx_sends", "raw/sends", "ERROR", "failing expectations 1"),
            CheckOutcome("reconciliation", "marts/sends_checked", "ERROR"),
            CheckOutcome("rule_no_opt_out_link", "marts/violations", "WARN", "violations 1"),
            CheckOutcome("unique_load_audit_content_sha256", "dbt test", "ERROR", "1 failing rows"),
        ],
        not_evaluated=["rule_not_informed"],
    )
    write_outputs(warehouse, tmp_path, checks)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    first = body_start(page).splitlines()[0]
    assert first.startswith('<div id="run-checks" class="checks failed" role="alert">')
    assert (
        "4 failed checks in this run: gx_sends, reconciliation, rule_no_opt_out_link, "
        "unique_load_audit_content_sha256" in first
    )
    assert "rule_not_informed" in first
    assert "<title>Soft-spam compliance report · 4 failed checks</title>" in page


def test_a_run_whose_checks_all_passed_says_so_and_no_run_says_nothing(
    warehouse: Path, tmp_path: Path
) -> None:
    write_outputs(warehouse, tmp_path / "run", RunChecks(evaluated=12))
    first = body_start((tmp_path / "run" / "report.html").read_text(encoding="utf-8")).splitlines()[0]
    assert "All 12 checks of this run passed." in first
    assert 'id="run-checks"' not in render(warehouse, tmp_path / "no_run")
    write_outputs(warehouse, tmp_path / "alone", RunChecks(evaluated=0))
    assert "No check ran in this run." in (tmp_path / "alone" / "report.html").read_text(encoding="utf-8")


def test_the_propagation_section_shows_each_application_and_its_trend(
    warehouse: Path, tmp_path: Path
) -> None:
    add_propagation_mart(warehouse)
    page = render(warehouse, tmp_path)
    section = page.split('<section id="propagation">', 1)[1].split("</section>", 1)[0]
    table = section.split('<table id="propagation-table">', 1)[1].split("</table>", 1)[0]
    rows = [re.sub(r"\|+", "|", re.sub(r"<[^>]+>", "|", row)) for row in table.split("<tr>")[2:]]
    # application, SLA, owed, propagated, never, median, p95, within SLA (of those judged); the
    # marketing application that owes nothing is listed too
    assert rows == [
        "|crm|72|1|1|0|278|278|0.0%|",
        "|mailchimp|48|2|1|1|24|24|50.0%|",
        "|sms_gateway|—|0|0|0|—|—|—|",
    ]
    # one chart per application, a point per snapshot: mailchimp's last shows 1 of its 2
    assert section.count("<svg") == 2
    assert "1 of 2 owed objections shown (50.0%), 1 late" in section
