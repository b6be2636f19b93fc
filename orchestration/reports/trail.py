"""A person's audit trail: every event the warehouse holds, and today's eligibility per category."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from orchestration.reports.warehouse import connect_read_only, require_tables

TIMELINE_COLUMNS = ("event_at", "event_type", "source_system", "source_ref", "detail")
ELIGIBILITY_COLUMNS = ("product_category", "channel", "is_eligible", "legal_basis", "blocking_reason")


@dataclass(frozen=True)
class PersonTrail:
    email: str
    person_key: str
    timeline: list[dict[str, Any]]
    eligibility: list[dict[str, Any]]
    evaluated_at: datetime | None

    @property
    def is_known(self) -> bool:
        return bool(self.timeline or self.eligibility)


def person_key_of(email: str) -> str:
    """SHA-256 hex of the normalised address, as the warehouse computes it."""
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


def _rows(connection, sql: str, parameters: list[Any]) -> list[dict[str, Any]]:
    cursor = connection.execute(sql, parameters)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def load_trail(warehouse: Path, email: str) -> PersonTrail:
    person_key = person_key_of(email)
    connection = connect_read_only(warehouse)
    try:
        require_tables(connection, "marts.person_timeline", "marts.audience_eligibility")
        # Ties on event_at keep a stable, readable order.
        timeline = _rows(
            connection,
            "select event_at, event_type, source_system, source_ref, detail from marts.person_timeline "
            "where person_key = ? order by event_at nulls last, event_type, source_system, source_ref",
            [person_key],
        )
        eligibility = _rows(
            connection,
            "select product_category, channel, is_eligible, legal_basis, blocking_reason, evaluated_at "
            "from marts.audience_eligibility where person_key = ? order by channel, product_category",
            [person_key],
        )
    finally:
        connection.close()
    evaluated_at = max((row.pop("evaluated_at") for row in eligibility), default=None, key=_sortable)
    return PersonTrail(email.strip().lower(), person_key, timeline, eligibility, evaluated_at)


def _sortable(value: datetime | None) -> datetime:
    return value or datetime.min.replace(tzinfo=UTC)


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        value = value.astimezone(UTC) if value.tzinfo else value
        return value.isoformat().replace("+00:00", "Z")
    return value


def _display(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).strftime("%Y-%m-%d %H:%M:%S")
    # One line per row: a newline in source text would break the table.
    return " ".join(str(value).split())


def text_table(headers: tuple[str, ...], rows: list[dict[str, Any]]) -> list[str]:
    cells = [[_display(row[column]) for column in headers] for row in rows]
    widths = [
        max([len(header)] + [len(line[index]) for line in cells]) for index, header in enumerate(headers)
    ]
    # The last column is free text: no padding after it.
    widths[-1] = 0

    def line(values: list[str]) -> str:
        return "  ".join(value.ljust(width) for value, width in zip(values, widths, strict=True)).rstrip()

    return [
        line(list(headers)),
        line(["-" * max(width, len(header)) for width, header in zip(widths, headers, strict=True)]),
    ] + [line(values) for values in cells]


def format_trail_text(trail: PersonTrail) -> str:
    if not trail.is_known:
        return (
            f"{trail.email} is not known to the warehouse (person_key {trail.person_key}): "
            "no event, no eligibility."
        )
    lines = [f"Person {trail.person_key}", f"Address {trail.email}", ""]
    lines.append(
        f"Timeline ({len(trail.timeline)} event{'s' if len(trail.timeline) != 1 else ''}, times UTC)"
    )
    lines += (
        ["  " + line for line in text_table(TIMELINE_COLUMNS, trail.timeline)]
        if trail.timeline
        else ["  no events"]
    )
    lines.append("")
    evaluated = _display(trail.evaluated_at) + " UTC" if trail.evaluated_at else "never"
    lines.append(f"Eligibility (evaluated at {evaluated})")
    lines += (
        ["  " + line for line in text_table(ELIGIBILITY_COLUMNS, trail.eligibility)]
        if trail.eligibility
        else ["  not evaluated"]
    )
    return "\n".join(lines)


def trail_as_json(trail: PersonTrail) -> str:
    document = {
        "email": trail.email,
        "person_key": trail.person_key,
        "known": trail.is_known,
        "evaluated_at": _iso(trail.evaluated_at),
        "timeline": [{key: _iso(value) for key, value in event.items()} for event in trail.timeline],
        "eligibility": [{key: _iso(value) for key, value in row.items()} for row in trail.eligibility],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)
