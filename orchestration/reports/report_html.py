"""report.html: one self-contained page for a compliance reviewer.

No external resource of any kind: inline CSS, inline SVG, a few lines of inline JS, and a CSP
that forbids loading anything else, so the file opens offline and cannot leak a request. Every
value from the warehouse is HTML-escaped: evidence text comes from source systems.
"""

from __future__ import annotations

import html
import math
from datetime import UTC, datetime
from pathlib import Path

from orchestration.reports.atomic import write_text_atomic
from orchestration.reports.report_data import (
    DETAIL_ROW_CAP,
    FINDING_EXAMPLES,
    SEVERITIES,
    TOP_CAMPAIGNS,
    ReportData,
    Row,
)

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
)
MISSING = '<span class="muted">—</span>'

STYLE = """
:root { --ink:#1f2933; --muted:#66727f; --line:#e3e7ec; --bg:#f5f6f8; --card:#fff; --accent:#2c4a6e;
  --critical:#b42318; --high:#c2581b; --warning:#9a7b0a; --ok:#2f7d4f; --okbar:#c9d8cf; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); font:15px/1.5 system-ui, -apple-system, "Segoe UI",
  Roboto, "Helvetica Neue", Arial, sans-serif; }
header { background:var(--accent); color:#fff; padding:22px 40px 18px; }
header h1 { margin:0 0 4px; font-size:22px; font-weight:600; letter-spacing:.2px; }
header p { margin:0; opacity:.85; font-size:13px; }
nav { background:#fff; border-bottom:1px solid var(--line); padding:8px 40px;
  position:sticky; top:0; z-index:1; }
nav a { color:var(--accent); text-decoration:none; margin-right:18px; font-size:13px; }
nav a:hover { text-decoration:underline; }
main { max-width:1280px; margin:0 auto; padding:24px 40px 60px; }
section { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:18px 22px;
  margin:0 0 20px; }
h2 { font-size:17px; margin:0 0 4px; font-weight:600; }
.lead { color:var(--muted); margin:0 0 14px; font-size:13px; }
.cards { display:grid; grid-template-columns:repeat(auto-fit, minmax(170px, 1fr)); gap:14px;
  margin:0 0 20px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:14px 16px; }
.card .label { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.5px; }
.card .value { font-size:26px; font-weight:600; font-variant-numeric:tabular-nums; margin-top:2px; }
.card .sub { color:var(--muted); font-size:12px; }
.value.good { color:var(--ok); } .value.bad { color:var(--critical); }
table { width:100%; border-collapse:collapse; font-size:13px; }
th { text-align:left; color:var(--muted); font-weight:600; border-bottom:2px solid var(--line);
  padding:6px 8px; }
td { border-bottom:1px solid var(--line); padding:6px 8px; vertical-align:top; }
tbody tr:nth-child(even) { background:#fafbfc; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
td.time { white-space:nowrap; font-variant-numeric:tabular-nums; }
td.evidence { min-width:280px; white-space:pre-wrap; overflow-wrap:anywhere; }
td.recipient { overflow-wrap:anywhere; min-width:140px; }
.muted { color:var(--muted); }
.zero { color:#a9b2bc; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; font-weight:600;
  color:#fff; background:#7b8794; white-space:nowrap; }
.badge.critical { background:var(--critical); } .badge.high { background:var(--high); }
.badge.warning { background:var(--warning); }
code { font-family:ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size:12px;
  white-space:nowrap; }
.chips { display:flex; flex-wrap:wrap; gap:4px; margin-top:4px; }
@media (max-width: 900px) { main, header, nav { padding-left:16px; padding-right:16px; } }
.chart { width:100%; height:auto; display:block; }
.legend { font-size:12px; color:var(--muted); margin:6px 0 0; }
.legend i { display:inline-block; width:10px; height:10px; margin:0 4px 0 12px; border-radius:2px; }
.filters { display:flex; gap:10px; align-items:center; margin:0 0 10px; flex-wrap:wrap; }
.filters input, .filters select { font:inherit; font-size:13px; padding:6px 10px; border:1px solid #c5ccd4;
  border-radius:6px; background:#fff; }
.filters input { min-width:320px; }
.scroll { max-height:720px; overflow:auto; border:1px solid var(--line); border-radius:6px; }
.scroll thead th { position:sticky; top:0; background:#fff; }
.note { background:#fff8e6; border:1px solid #f1dfb0; border-radius:6px; padding:8px 12px; font-size:13px;
  margin:0 0 12px; }
details summary { cursor:pointer; color:var(--accent); font-size:13px; margin-top:10px; }
.checks { margin:0; padding:12px 40px; font-size:14px; border-bottom:1px solid var(--line); }
.checks.failed { background:#fdecea; color:#7a1610; border-bottom-color:#f3b8b2; }
.checks.passed { background:#e9f5ee; color:#1e5535; }
.checks strong { font-weight:600; }
.checks ul { margin:6px 0 0; padding-left:20px; }
.checks li { margin:2px 0; }
ul.examples { margin:0; padding-left:16px; }
footer { color:var(--muted); font-size:12px; text-align:center; margin-top:10px; }
"""

# Filters the detail table in place; marks the document ready so a headless browser test can
# tell that the script ran without error.
SCRIPT = """
(function () {
  var input = document.getElementById('detail-filter');
  var severity = document.getElementById('detail-severity');
  var counter = document.getElementById('detail-count');
  var rows = Array.prototype.slice.call(document.querySelectorAll('#detail-table tbody tr'));
  var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });
  function apply() {
    var needle = input.value.trim().toLowerCase();
    var wanted = severity.value;
    var shown = 0;
    rows.forEach(function (row, index) {
      var visible = (!needle || texts[index].indexOf(needle) !== -1) &&
        (!wanted || row.getAttribute('data-severity') === wanted);
      row.hidden = !visible;
      if (visible) { shown += 1; }
    });
    counter.textContent = shown.toLocaleString('en-US') + ' of ' + rows.length.toLocaleString('en-US') +
      ' rows shown';
  }
  input.addEventListener('input', apply);
  severity.addEventListener('change', apply);
  apply();
  document.documentElement.setAttribute('data-ready', 'true');
})();
"""


def esc(value: object) -> str:
    if value is None:
        return MISSING
    if isinstance(value, datetime):
        return html.escape(format_time(value))
    return html.escape(str(value), quote=True)


def format_time(value: datetime | None) -> str:
    if value is None:
        return "—"
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M")


def number(value: int | float | None) -> str:
    if value is None:
        return MISSING
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    text = f"{int(value):,}"
    return f'<span class="zero">{text}</span>' if value == 0 else text


def percent(part: int, whole: int) -> str:
    return "—" if not whole else f"{100.0 * part / whole:.1f}%"


def severity_badge(severity: object) -> str:
    label = esc(severity)
    css = str(severity).lower() if str(severity).lower() in SEVERITIES else ""
    return f'<span class="badge {css}">{label}</span>'


def table(headers: list[tuple[str, str]], body_rows: list[str], *, table_id: str = "") -> str:
    """headers: (label, css class); body_rows: ready-made <tr> markup."""
    head = "".join(f'<th class="{css}">{html.escape(label)}</th>' for label, css in headers)
    id_attr = f' id="{table_id}"' if table_id else ""
    if not body_rows:
        body_rows = [f'<tr><td colspan="{len(headers)}" class="muted">Nothing to show.</td></tr>']
    return f"<table{id_attr}><thead><tr>{head}</tr></thead><tbody>{''.join(body_rows)}</tbody></table>"


def cell(content: str, css: str = "") -> str:
    return f'<td class="{css}">{content}</td>' if css else f"<td>{content}</td>"


def render_cards(data: ReportData) -> str:
    headline = data.headline
    sends, compliant = headline["sends"], headline["compliant_sends"]
    rate_css = "good" if sends and compliant == sends else "bad" if sends else ""
    counts = [(severity, data.violations_by_severity.get(severity, 0)) for severity in SEVERITIES]
    other = sum(
        count for severity, count in data.violations_by_severity.items() if severity not in SEVERITIES
    )
    if other:
        counts.append(("other", other))
    chips = "".join(
        f'<span class="badge {severity}">{count:,} {severity}</span>' for severity, count in counts
    )
    load = data.load_totals
    cards = [
        (
            "Sends judged",
            number(sends),
            f"{esc(format_time(headline['first_sent_at']))} → "
            f"{esc(format_time(headline['last_sent_at']))} UTC",
            "",
        ),
        ("Compliance rate", percent(compliant, sends), f"{number(compliant)} compliant sends", rate_css),
        (
            "Violations",
            number(headline["violations"]),
            f'<span class="chips">{chips}</span>',
            "bad" if headline["violations"] else "good",
        ),
        ("Persons affected", number(headline["persons_affected"]), "recipients of a violating send", ""),
        (
            "Alignment gaps",
            number(headline["alignment_gaps"]),
            "objections not yet suppressed",
            "bad" if headline["alignment_gaps"] else "good",
        ),
        (
            "Rows quarantined",
            number(load["rows_quarantined"]),
            f"of {number(load['rows_read'])} read in {number(load['files'])} files "
            f"({number(load['files_quarantined'])} rejected whole)",
            "bad" if load["rows_quarantined"] else "good",
        ),
    ]
    if data.findings is not None:
        cards.append(
            (
                "Data-quality findings",
                number(data.findings_total),
                f"loaded rows to review, {number(len(data.findings))} finding "
                f"type{'s' if len(data.findings) != 1 else ''}",
                "bad" if data.findings_total else "good",
            )
        )
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card"><div class="label">{label}</div><div class="value {css}">{value}</div>'
            f'<div class="sub">{sub}</div></div>'
            for label, value, sub, css in cards
        )
        + "</div>"
    )


def render_rules(data: ReportData) -> str:
    rows = [
        "<tr>"
        + cell(f"<code>{esc(rule['rule_code'])}</code>")
        + cell(severity_badge(rule["severity"]))
        + cell(number(rule["violations"]), "num")
        + cell(number(rule["persons"] or 0), "num")
        + cell(esc(rule["latest_sent_at"]), "time")
        + cell(esc(rule["legal_reference"]))
        + cell(esc(rule["description"]))
        + "</tr>"
        for rule in data.rules
    ]
    headers = [
        ("Rule", ""),
        ("Severity", ""),
        ("Violations", "num"),
        ("Persons", "num"),
        ("Latest send (UTC)", ""),
        ("Legal reference", ""),
        ("What it means", ""),
    ]
    return section(
        "rules",
        "Violations by rule",
        "Each send is judged as of its own time; a send may break several rules (docs/rules.md section 3).",
        table(headers, rows),
    )


def nice_ceiling(value: int) -> int:
    """A round axis maximum at or above value (1, 2, 2.5, 5 x 10^n)."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return int(math.ceil(step * magnitude))
    return value


def render_trend_chart(weeks: list[Row]) -> str:
    if not weeks:
        return '<p class="muted">No sends yet.</p>'
    width, height = 1080, 280
    left, right, top, bottom = 56, 12, 14, 46
    plot_width, plot_height = width - left - right, height - top - bottom
    # Four equal, whole-number intervals on the y axis.
    tick_step = nice_ceiling(math.ceil(max(week["sends"] for week in weeks) / 4))
    axis_max = tick_step * 4
    step = plot_width / len(weeks)
    bar_width = min(48.0, max(2.0, step * 0.7))
    label_every = max(1, math.ceil(len(weeks) / 14))
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Sends per ISO week, compliant and non-compliant">'
    ]
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        y = top + plot_height * (1 - fraction)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e7ec"/>')
        parts.append(
            f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#66727f">'
            f"{axis_max * fraction:,.0f}</text>"
        )
    for index, week in enumerate(weeks):
        x = left + index * step + (step - bar_width) / 2
        total_height = plot_height * week["sends"] / axis_max
        bad_height = plot_height * week["non_compliant_sends"] / axis_max
        base = top + plot_height
        tooltip = html.escape(
            f"{week['iso_week']}: {week['sends']:,} sends, {week['non_compliant_sends']:,} non-compliant "
            f"({percent(week['non_compliant_sends'], week['sends'])}); "
            f"violations: {week['critical']:,} critical, {week['high']:,} high, {week['warning']:,} warning"
        )
        parts.append(
            f"<g><title>{tooltip}</title>"
            f'<rect x="{x:.1f}" y="{base - total_height:.1f}" width="{bar_width:.1f}" '
            f'height="{total_height - bad_height:.1f}" fill="#c9d8cf"/>'
            f'<rect x="{x:.1f}" y="{base - bad_height:.1f}" width="{bar_width:.1f}" '
            f'height="{bad_height:.1f}" '
            f'fill="#b42318" fill-opacity="0.85"/></g>'
        )
        if index % label_every == 0:
            parts.append(
                f'<text x="{x + bar_width / 2:.1f}" y="{height - bottom + 18}" text-anchor="middle" '
                f'font-size="11" fill="#66727f">{html.escape(week["iso_week"])}</text>'
            )
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_height}" y2="{top + plot_height}" '
        f'stroke="#9aa5b1"/></svg>'
    )
    parts.append(
        '<p class="legend"><i style="background:#c9d8cf"></i>compliant sends'
        '<i style="background:#b42318"></i>non-compliant sends (at least one violation)</p>'
    )
    return "".join(parts)


def render_trend(data: ReportData) -> str:
    rows = [
        "<tr>"
        + cell(esc(week["iso_week"]))
        + cell(number(week["sends"]), "num")
        + cell(number(week["non_compliant_sends"]), "num")
        + cell(percent(week["sends"] - week["non_compliant_sends"], week["sends"]), "num")
        + "".join(cell(number(week[severity]), "num") for severity in SEVERITIES)
        + "</tr>"
        for week in reversed(data.weeks)
    ]
    headers = [
        ("ISO week", ""),
        ("Sends", "num"),
        ("Non-compliant", "num"),
        ("Compliance", "num"),
        ("Critical", "num"),
        ("High", "num"),
        ("Warning", "num"),
    ]
    body = render_trend_chart(data.weeks) + (
        f"<details><summary>Weekly figures</summary>{table(headers, rows)}</details>"
    )
    return section("trend", "Trend by ISO week", "Weeks start on Monday, UTC.", body)


def render_campaigns_and_applications(data: ReportData) -> str:
    campaign_rows = [
        "<tr>"
        + cell(f"<code>{esc(row['campaign_id'])}</code>")
        + cell(esc(row["applications"]))
        + cell(number(row["sends"]), "num")
        + cell(number(row["non_compliant_sends"]), "num")
        + cell(number(row["critical"]), "num")
        + cell(esc(row["last_sent_at"]), "time")
        + "</tr>"
        for row in data.campaigns
    ]
    campaigns = table(
        [
            ("Campaign", ""),
            ("Sent by", ""),
            ("Sends", "num"),
            ("Non-compliant", "num"),
            ("Critical", "num"),
            ("Last send (UTC)", ""),
        ],
        campaign_rows,
    )
    application_rows = [
        "<tr>"
        + cell(f"<code>{esc(row['source_system'])}</code>")
        + cell(number(row["sends"]), "num")
        + cell(number(row["non_compliant_sends"]), "num")
        + cell(percent(row["sends"] - row["non_compliant_sends"], row["sends"]), "num")
        + "".join(cell(number(row[severity]), "num") for severity in SEVERITIES)
        + "</tr>"
        for row in data.applications
    ]
    applications = table(
        [
            ("Application", ""),
            ("Sends", "num"),
            ("Non-compliant", "num"),
            ("Compliance", "num"),
            ("Critical", "num"),
            ("High", "num"),
            ("Warning", "num"),
        ],
        application_rows,
    )
    return section(
        "campaigns",
        "Worst campaigns",
        f"The {TOP_CAMPAIGNS} campaigns with the most critical violations and non-compliant sends.",
        campaigns,
    ) + section(
        "applications",
        "Worst sending applications",
        "Every application that sent marketing (the sends' source_system), lowest compliance first.",
        applications,
    )


def render_alignment(data: ReportData) -> str:
    rows = [
        "<tr>"
        + cell(f"<code>{esc(row['application'])}</code>")
        + cell(esc(row["channel"]))
        + cell(number(row["sla_hours"]), "num")
        + cell(number(row["gaps"]), "num")
        + cell(number(row["max_hours_overdue"]), "num")
        + cell(esc(row["oldest_opposed_at"]), "time")
        + cell(esc(row["snapshot_taken_at"]), "time")
        + "</tr>"
        for row in data.alignment
    ]
    headers = [
        ("Application", ""),
        ("Channel", ""),
        ("SLA (h)", "num"),
        ("Gaps", "num"),
        ("Worst overdue (h)", "num"),
        ("Oldest objection (UTC)", ""),
        ("Snapshot (UTC)", ""),
    ]
    return section(
        "alignment",
        "Alignment gaps per application",
        "Persons whose objection is past the application's service level but missing from its latest "
        "suppression snapshot (docs/rules.md section 7). Details in alignment_gaps.csv.",
        table(headers, rows),
    )


def render_data_quality(data: ReportData) -> str:
    findings_by_kind: dict[object, int] = {}
    for row in data.findings or []:
        findings_by_kind[row["kind"]] = findings_by_kind.get(row["kind"], 0) + row["findings"]
    kind_rows = [
        "<tr>"
        + cell(esc(row["kind"]))
        + cell(number(row["files"]), "num")
        + cell(number(row["rows_read"]), "num")
        + cell(number(row["rows_loaded"]), "num")
        + cell(number(row["rows_quarantined"]), "num")
        + cell(number(row["files_quarantined"]), "num")
        + (cell(number(findings_by_kind.get(row["kind"], 0)), "num") if data.findings is not None else "")
        + cell(esc(row["last_loaded_at"]), "time")
        + "</tr>"
        for row in data.loads_by_kind
    ]
    body = table(
        [
            ("Kind", ""),
            ("Files", "num"),
            ("Rows read", "num"),
            ("Rows loaded", "num"),
            ("Rows quarantined", "num"),
            ("Files rejected whole", "num"),
            *([("Rows with findings", "num")] if data.findings is not None else []),
            ("Last load (UTC)", ""),
        ],
        kind_rows,
    )
    if data.quarantine_reasons is None:
        body += '<p class="muted">raw.quarantine is not in the warehouse: reasons cannot be shown.</p>'
    else:
        reason_rows = [
            "<tr>"
            + cell(esc(row["kind"]))
            + cell(esc(row["reason"]))
            + cell(number(row["rows"]), "num")
            + cell(number(row["files"]), "num")
            + cell(number(row["files_whole"]), "num")
            + "</tr>"
            for row in data.quarantine_reasons
        ]
        body += (
            '<h3 style="font-size:14px;margin:18px 0 6px">Why rows were quarantined</h3>'
            '<p class="lead">A file rejected whole counts every row read from it.</p>'
            + table(
                [
                    ("Kind", ""),
                    ("Reason", ""),
                    ("Rows quarantined", "num"),
                    ("Files", "num"),
                    ("Files rejected whole", "num"),
                ],
                reason_rows,
            )
        )
    if data.problem_files:
        file_rows = [
            "<tr>"
            + cell(f"<code>{esc(row['file_name'])}</code>")
            + cell(esc(row["kind"]))
            + cell(esc(row["status"]))
            + cell(number(row["rows_read"]), "num")
            + cell(number(row["rows_quarantined"]), "num")
            + "</tr>"
            for row in data.problem_files
        ]
        body += (
            "<details><summary>Files with quarantined rows</summary>"
            + table(
                [
                    ("File", ""),
                    ("Kind", ""),
                    ("Status", ""),
                    ("Rows read", "num"),
                    ("Rows quarantined", "num"),
                ],
                file_rows,
            )
            + "</details>"
        )
    return section(
        "quality",
        "Loads and quarantine",
        "Every landed file: rows read = rows loaded + rows quarantined. Unreadable rows (no id, no time) "
        "are quarantined, never silently dropped.",
        body,
    )


def failed_check_names(data: ReportData) -> list[str]:
    return [check.name for check in data.checks.failed] if data.checks else []


def check_badge(severity: str) -> str:
    css = "critical" if severity == "ERROR" else "warning"
    return f'<span class="badge {css}">{esc(severity)}</span>'


def render_checks_banner(data: ReportData) -> str:
    """The page's first lines: every failed check of the run, by name (docs/formats.md section 4)."""
    checks = data.checks
    if checks is None:
        return ""
    not_evaluated = (
        f"<li>Not evaluated when the report was written: "
        f"{', '.join(f'<code>{esc(name)}</code>' for name in checks.not_evaluated)}</li>"
        if checks.not_evaluated
        else ""
    )
    if not checks.failed:
        if checks.not_evaluated:
            headline = f"<strong>No failed check among the {checks.evaluated:,} evaluated.</strong>"
        elif checks.evaluated:
            headline = f"<strong>All {checks.evaluated:,} checks of this run passed.</strong>"
        else:  # e.g. the report materialised alone in the Dagster UI
            headline = "<strong>No check ran in this run.</strong>"
        extra = f"<ul>{not_evaluated}</ul>" if not_evaluated else ""
        return f'<div id="run-checks" class="checks passed" role="status">{headline}{extra}</div>'
    count = len(checks.failed)
    headline = (
        f"<strong>{count:,} failed check{'s' if count != 1 else ''} in this run: "
        + ", ".join(esc(check.name) for check in checks.failed)
        + "</strong>"
    )
    items = "".join(
        f"<li><code>{esc(check.name)}</code> {check_badge(check.severity)} on "
        f"{esc(check.target)}{' · ' + esc(check.summary) if check.summary else ''}</li>"
        for check in checks.failed
    )
    return (
        f'<div id="run-checks" class="checks failed" role="alert">{headline}'
        f"<ul>{items}{not_evaluated}</ul>"
        "The marts, this report and the exports were still written; see each check in Dagster "
        "(asset page, Checks tab) or the run log.</div>"
    )


def render_findings(data: ReportData) -> str:
    if data.findings is None:
        body = (
            '<p class="muted">marts.data_quality_findings is not in the warehouse: '
            "findings cannot be shown.</p>"
        )
    else:
        rows = [
            "<tr>"
            + cell(f"<code>{esc(row['finding_type'])}</code>")
            + cell(esc(row["kind"]))
            + cell(number(row["findings"]), "num")
            + cell(esc(row["source_systems"]))
            + cell(
                '<ul class="examples">'
                + "".join(
                    f"<li><code>{esc(example['record_ref'])}</code> "
                    f'<span class="muted">({esc(example["source_system"])})</span>: '
                    f"{esc(example['detail'])}</li>"
                    for example in row["examples"]
                )
                + "</ul>",
                "evidence",
            )
            + "</tr>"
            for row in data.findings
        ]
        body = table(
            [
                ("Finding", ""),
                ("Kind", ""),
                ("Rows", "num"),
                ("Sources", ""),
                (f"Examples (up to {FINDING_EXAMPLES})", ""),
            ],
            rows,
        )
    return section(
        "findings",
        "Data-quality findings",
        "Rows that were loaded and judged but need a data steward's look (marts.data_quality_findings): "
        "each is judged by the safe reading docs/rules.md section 4 prescribes.",
        body,
    )


def render_detail(data: ReportData) -> str:
    rows = [
        f'<tr data-severity="{html.escape(str(row["severity"]).lower(), quote=True)}">'
        + cell(esc(row["sent_at"]), "time")
        + cell(severity_badge(row["severity"]))
        + cell(f"<code>{esc(row['rule_code'])}</code>")
        + cell(
            f'{esc(row["campaign_id"])}<br><span class="muted">{esc(row["source_system"])} · '
            f"<code>{esc(row['send_id'])}</code></span>"
        )
        + cell(
            f"{esc(row['channel'])} · {esc(row['legal_basis'])}<br>"
            f'<span class="muted">{esc(row["promoted_category"])}</span>'
        )
        + cell(esc(row["email"]), "recipient")
        + cell(
            esc(row["evidence"])
            + (
                f'<br><span class="muted">ref <code>{esc(row["evidence_ref"])}</code></span>'
                if row["evidence_ref"]
                else ""
            ),
            "evidence",
        )
        + "</tr>"
        for row in data.detail
    ]
    shown, total = len(data.detail), data.violations_total
    cap_note = (
        f'<p class="note">Showing the {shown:,} most severe, most recent of {total:,} violations. '
        f"violations.csv holds all {total:,} rows.</p>"
        if total > shown
        else f'<p class="lead">All {total:,} violations; violations.csv holds the same {total:,} rows.</p>'
    )
    filters = (
        '<div class="filters"><input id="detail-filter" type="search" '
        'placeholder="Filter: rule, campaign, address, evidence…" aria-label="Filter violations">'
        '<select id="detail-severity" aria-label="Severity"><option value="">All severities</option>'
        + "".join(f'<option value="{severity}">{severity}</option>' for severity in SEVERITIES)
        + '</select><span id="detail-count" class="muted"></span></div>'
    )
    headers = [
        ("Sent (UTC)", ""),
        ("Severity", ""),
        ("Rule", ""),
        ("Campaign, sender, send", ""),
        ("Channel · basis", ""),
        ("Recipient", ""),
        ("Evidence", ""),
    ]
    return section(
        "detail",
        "Violations in detail",
        "",
        cap_note
        + filters
        + '<div class="scroll">'
        + table(headers, rows, table_id="detail-table")
        + "</div>",
    )


def section(anchor: str, title: str, lead: str, body: str) -> str:
    lead_html = f'<p class="lead">{html.escape(lead)}</p>' if lead else ""
    return f'<section id="{anchor}"><h2>{html.escape(title)}</h2>{lead_html}{body}</section>'


def render_report(data: ReportData) -> str:
    failed = failed_check_names(data)
    title = "Soft-spam compliance report" + (
        f" · {len(failed)} failed check{'s' if len(failed) != 1 else ''}" if failed else ""
    )
    notes = "".join(f'<p class="note">{html.escape(note)}</p>' for note in data.notes)
    navigation = "".join(
        f'<a href="#{anchor}">{label}</a>'
        for anchor, label in [
            ("rules", "Rules"),
            ("trend", "Trend"),
            ("campaigns", "Campaigns"),
            ("applications", "Applications"),
            ("alignment", "Alignment"),
            ("findings", "Findings"),
            ("quality", "Loads"),
            ("detail", "Detail"),
        ]
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<style>{STYLE}</style>
</head>
<body>
{render_checks_banner(data)}
<header><h1>Soft-spam compliance report</h1>
<p>Art. 130 c.4 Codice Privacy · generated {esc(format_time(data.generated_at))} UTC from
{esc(data.warehouse_name)} · all times UTC</p></header>
<nav>{navigation}</nav>
<main>
{notes}
{render_cards(data)}
{render_rules(data)}
{render_trend(data)}
{render_campaigns_and_applications(data)}
{render_alignment(data)}
{render_findings(data)}
{render_data_quality(data)}
{render_detail(data)}
<footer>Detail capped at {DETAIL_ROW_CAP:,} rows · exports: violations.csv, alignment_gaps.csv,
suppression/&lt;application&gt;.csv</footer>
</main>
<script>{SCRIPT}</script>
</body>
</html>
"""


def write_report(data: ReportData, target: Path) -> Path:
    return write_text_atomic(target, render_report(data))
