"""report.html from its templates: values are escaped, sections are where the navigation says,
and a template's own layout never reaches a value."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from orchestration.reports.report_html import ENVIRONMENT, squeeze_layout

from .test_report_html import render, section_of

HOSTILE_CAMPAIGN = '<script>alert("c")</script> & "co"'
ESCAPED_CAMPAIGN = "&lt;script&gt;alert(&quot;c&quot;)&lt;/script&gt; &amp; &quot;co&quot;"
HOSTILE_REF = 'opposition:"crm"&<OPP-7>'
ESCAPED_REF = "opposition:&quot;crm&quot;&amp;&lt;OPP-7&gt;"


def test_markup_quotes_and_ampersands_from_the_warehouse_are_escaped(warehouse: Path, tmp_path: Path) -> None:
    connection = duckdb.connect(str(warehouse))
    connection.execute(
        "update marts.sends_checked set campaign_id = ? where send_id = 'S1'", [HOSTILE_CAMPAIGN]
    )
    connection.execute(
        "update marts.violations set campaign_id = ?, evidence_ref = ? where send_id = 'S1'",
        [HOSTILE_CAMPAIGN, HOSTILE_REF],
    )
    connection.close()
    page = render(warehouse, tmp_path)
    assert f"<code>{ESCAPED_CAMPAIGN}</code>" in section_of(page, "campaigns")
    detail = section_of(page, "detail")
    assert f"{ESCAPED_CAMPAIGN}<br>" in detail
    assert f"ref <code>{ESCAPED_REF}</code>" in detail
    assert HOSTILE_CAMPAIGN not in page and HOSTILE_REF not in page
    assert page.count("<script>") == 1


def test_every_navigation_link_has_its_section_in_the_same_order(warehouse: Path, tmp_path: Path) -> None:
    page = render(warehouse, tmp_path)
    navigation = page[page.index("<nav>") : page.index("</nav>")]
    anchors = re.findall(r'<a href="#([a-z_-]+)">', navigation)
    assert anchors[:2] == ["rules", "trend"] and "detail" in anchors
    assert re.findall(r'<section id="([a-z_-]+)">', page) == anchors


def test_every_template_compiles() -> None:
    names = ENVIRONMENT.list_templates()
    assert "report.html.j2" in names and "sections/detail.html.j2" in names
    for name in names:
        ENVIRONMENT.get_template(name)


def test_template_layout_is_dropped_next_to_tags_and_kept_between_words() -> None:
    assert squeeze_layout("<tr>\n  <td>a</td>\n  <td>b</td>\n</tr>") == "<tr><td>a</td><td>b</td></tr>"
    assert (
        squeeze_layout("Each send is judged\n  as of its own time")
        == "Each send is judged as of its own time"
    )
    assert squeeze_layout("UTC from\n  ", value_after=True) == "UTC from "
    assert squeeze_layout("rows\n  ") == "rows"  # before a statement
    assert squeeze_layout("</div>\n\n<header>") == "</div>\n<header>"
    assert squeeze_layout("a  b <i>c</i> d") == "a  b <i>c</i> d"  # no line break: untouched


def test_evidence_keeps_its_own_line_breaks(warehouse: Path, tmp_path: Path) -> None:
    detail = section_of(render(warehouse, tmp_path), "detail")
    assert "and\na newline" in detail
