"""report.html: one self-contained page for a compliance reviewer.

No external resource of any kind: inline CSS, inline SVG, a few lines of inline JS, and a CSP
that forbids loading anything else, so the file opens offline and cannot leak a request.

The markup is in templates/: report.html.j2 lays out the page and includes one template per
section. This module prepares what is not presentation (the chart's geometry, a few sums) and
renders. Every value from the warehouse is HTML-escaped on output: evidence text comes from
source systems.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from markupsafe import Markup

from orchestration.reports.atomic import write_text_atomic
from orchestration.reports.report_data import (
    DETAIL_ROW_CAP,
    FINDING_EXAMPLES,
    SEVERITIES,
    TOP_CAMPAIGNS,
    ReportData,
    Row,
)

MISSING = Markup('<span class="muted">—</span>')

# The trend chart's canvas (SVG user units) and its margins around the plot.
CHART_WIDTH, CHART_HEIGHT = 1080, 280
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 56, 12, 14, 46


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
    return Markup('<span class="zero">{}</span>').format(text) if value == 0 else text


def thousands(value: int) -> str:
    return f"{value:,}"


def percent(part: int, whole: int) -> str:
    return "—" if not whole else f"{100.0 * part / whole:.1f}%"


def severity_class(severity: object) -> str:
    """The badge colour: one of SEVERITIES, or none for a severity the report does not know."""
    css = str(severity).lower()
    return css if css in SEVERITIES else ""


def coordinate(value: float) -> str:
    return f"{value:.1f}"


def display(value: object) -> object:
    """How every ``{{ value }}`` is written: None as a muted dash, a time in UTC, the rest escaped.

    html.escape rather than markupsafe's escape, so that a quote reads ``&quot;`` (not ``&#34;``)
    in the page source, as the report's tests expect; autoescaping still covers what a template
    builds itself (concatenations, macro output).
    """
    if hasattr(value, "__html__"):
        return value
    if value is None:
        return MISSING
    if isinstance(value, datetime):
        value = format_time(value)
    return Markup(html.escape(str(value), quote=True))


LAYOUT_WHITESPACE = re.compile(r"\s*\n\s*")


def squeeze_layout(text: str, value_before: bool = False, value_after: bool = False) -> str:
    """A template's line breaks and indentation lay it out for its reader, not the page: a line
    break next to a tag (an HTML tag, a {% statement %} or a comment) is dropped, between words
    (text or a {{ value }}) it is one space, and a blank line is one line break of the page.

    value_before/value_after: the text follows/precedes a {{ value }} rather than a statement.
    """

    def replace(match: re.Match[str]) -> str:
        if match.group().count("\n") > 1:
            return "\n"
        start, end = match.span()
        tight_before = text[start - 1] == ">" if start else not value_before
        tight_after = text[end] == "<" if end < len(text) else not value_after
        return "" if tight_before or tight_after else " "

    return LAYOUT_WHITESPACE.sub(replace, text)


class SqueezeLayout(Extension):
    """Applies squeeze_layout to the literal text of the markup templates (*.j2), so that cells
    stay adjacent (``<td>a</td><td>b</td>``) however the template is indented, and the checks
    banner stays the page's first line (docs/formats.md section 4). Values are never touched:
    evidence keeps its own line breaks."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        if not (stream.name or "").endswith(".j2"):
            yield from stream
            return
        tokens = list(stream)
        for index, token in enumerate(tokens):
            if token.type == "data":
                value_before = index > 0 and tokens[index - 1].type == "variable_end"
                value_after = index + 1 < len(tokens) and tokens[index + 1].type == "variable_begin"
                token = Token(token.lineno, "data", squeeze_layout(token.value, value_before, value_after))
            yield token


ENVIRONMENT = Environment(
    loader=PackageLoader("orchestration.reports", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    finalize=display,
    extensions=[SqueezeLayout],
)
ENVIRONMENT.filters.update(
    format_time=format_time,
    number=number,
    thousands=thousands,
    percent=percent,
    severity_class=severity_class,
    coordinate=coordinate,
)
ENVIRONMENT.globals.update(
    DETAIL_ROW_CAP=DETAIL_ROW_CAP,
    FINDING_EXAMPLES=FINDING_EXAMPLES,
    SEVERITIES=SEVERITIES,
    TOP_CAMPAIGNS=TOP_CAMPAIGNS,
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


@dataclass(frozen=True)
class Bar:
    """One week's stacked bar: compliant sends on top of the non-compliant ones."""

    week: Row
    x: float
    width: float
    top: float
    compliant_height: float
    non_compliant_top: float
    non_compliant_height: float
    label_x: float | None  # None: the week is not labelled, the axis would crowd


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    left: int
    right: int  # the plot's right edge
    baseline: int
    label_y: int
    gridlines: list[tuple[float, int]]  # (y, sends at that line)
    bars: list[Bar]


def trend_chart(weeks: list[Row]) -> TrendChart | None:
    if not weeks:
        return None
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    # Four equal, whole-number intervals on the y axis.
    tick_step = nice_ceiling(math.ceil(max(week["sends"] for week in weeks) / 4))
    axis_max = tick_step * 4
    step = plot_width / len(weeks)
    bar_width = min(48.0, max(2.0, step * 0.7))
    label_every = max(1, math.ceil(len(weeks) / 14))
    baseline = CHART_TOP + plot_height
    bars = []
    for index, week in enumerate(weeks):
        x = CHART_LEFT + index * step + (step - bar_width) / 2
        total_height = plot_height * week["sends"] / axis_max
        bad_height = plot_height * week["non_compliant_sends"] / axis_max
        bars.append(
            Bar(
                week=week,
                x=x,
                width=bar_width,
                top=baseline - total_height,
                compliant_height=total_height - bad_height,
                non_compliant_top=baseline - bad_height,
                non_compliant_height=bad_height,
                label_x=x + bar_width / 2 if index % label_every == 0 else None,
            )
        )
    return TrendChart(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        left=CHART_LEFT,
        right=CHART_WIDTH - CHART_RIGHT,
        baseline=baseline,
        label_y=CHART_HEIGHT - CHART_BOTTOM + 18,
        gridlines=[
            (CHART_TOP + plot_height * (1 - fraction), int(axis_max * fraction))
            for fraction in (0, 0.25, 0.5, 0.75, 1)
        ],
        bars=bars,
    )


# One propagation chart per application: the share of owed objections shown, per snapshot.
PROPAGATION_WIDTH, PROPAGATION_HEIGHT = 520, 150
PROPAGATION_LEFT, PROPAGATION_RIGHT, PROPAGATION_TOP, PROPAGATION_BOTTOM = 44, 12, 10, 30


@dataclass(frozen=True)
class PropagationPoint:
    snapshot: Row
    x: float
    y: float


@dataclass(frozen=True)
class PropagationChart:
    width: int
    height: int
    left: int
    right: int
    baseline: int
    label_y: int
    gridlines: list[tuple[float, int]]  # (y, percent at that line)
    points: list[PropagationPoint]

    @property
    def polyline(self) -> str:
        return " ".join(f"{point.x:.1f},{point.y:.1f}" for point in self.points)


def propagation_chart(snapshots: list[Row]) -> PropagationChart | None:
    """The share of the objections owed by each snapshot that it showed, as a line over time."""
    shown = [snapshot for snapshot in snapshots if snapshot["share_propagated"] is not None]
    if not shown:
        return None
    plot_width = PROPAGATION_WIDTH - PROPAGATION_LEFT - PROPAGATION_RIGHT
    plot_height = PROPAGATION_HEIGHT - PROPAGATION_TOP - PROPAGATION_BOTTOM
    baseline = PROPAGATION_TOP + plot_height
    step = plot_width / max(1, len(shown) - 1)
    points = [
        PropagationPoint(
            snapshot=snapshot,
            x=PROPAGATION_LEFT + (index * step if len(shown) > 1 else plot_width / 2),
            y=baseline - plot_height * float(snapshot["share_propagated"]),
        )
        for index, snapshot in enumerate(shown)
    ]
    return PropagationChart(
        width=PROPAGATION_WIDTH,
        height=PROPAGATION_HEIGHT,
        left=PROPAGATION_LEFT,
        right=PROPAGATION_WIDTH - PROPAGATION_RIGHT,
        baseline=baseline,
        label_y=PROPAGATION_HEIGHT - PROPAGATION_BOTTOM + 16,
        gridlines=[(baseline - plot_height * percent / 100, percent) for percent in (0, 50, 100)],
        points=points,
    )


def severity_counts(data: ReportData) -> list[tuple[str, int]]:
    """Violations per known severity, zeros included, then any other severity summed as "other"."""
    counts = [(severity, data.violations_by_severity.get(severity, 0)) for severity in SEVERITIES]
    other = sum(
        count for severity, count in data.violations_by_severity.items() if severity not in SEVERITIES
    )
    return [*counts, ("other", other)] if other else counts


def findings_by_kind(data: ReportData) -> dict[object, int]:
    totals: dict[object, int] = {}
    for row in data.findings or []:
        totals[row["kind"]] = totals.get(row["kind"], 0) + row["findings"]
    return totals


def render_report(data: ReportData) -> str:
    return ENVIRONMENT.get_template("report.html.j2").render(
        data=data,
        chart=trend_chart(data.weeks),
        severity_counts=severity_counts(data),
        findings_by_kind=findings_by_kind(data),
        propagation_chart=propagation_chart,
    )


def write_report(data: ReportData, target: Path) -> Path:
    return write_text_atomic(target, render_report(data))
