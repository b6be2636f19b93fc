"""Pre-send audience check: judge a planned audience with the warehouse's own eligibility logic.

The rules are not re-implemented here: the SQL comes from the dbt macro
``audience_eligibility_query`` (the one behind marts.audience_eligibility), compiled by dbt and run
on a read-only connection against a TEMP table ``audience_input`` that holds the audience.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfoNotFoundError

import pandas as pd

from orchestration.config import PROJECT_DIR, load_policy
from orchestration.reports.atomic import atomic_path
from orchestration.reports.exports import neutralise_cell, sql_literal
from orchestration.reports.warehouse import ReportError, connect_read_only, require_tables
from orchestration.timezones import read_instant

ELIGIBILITY_MACRO = "audience_eligibility_query"
PERSONS_RELATION = "audience_input"
VERDICT_COLUMNS = ("email", "is_eligible", "legal_basis", "blocking_reason")
_CSV_DELIMITERS = (",", ";", "\t")


class EligibilityMacroMissing(ReportError):
    """The dbt project does not define the eligibility macro yet."""


@dataclass(frozen=True)
class AudienceFile:
    """A planned audience: distinct normalised addresses in first-seen order, and what was set aside."""

    addresses: list[str]
    entries_read: int  # address lines or CSV data rows, blank ones included
    blank_entries: int
    duplicate_entries: int


@dataclass(frozen=True)
class Verdict:
    email: str
    is_eligible: bool
    legal_basis: str | None
    blocking_reason: str | None


def normalise_address(value: str) -> str:
    return value.strip().lower()


def _email_column(header_line: str) -> tuple[str, int] | None:
    """(delimiter, index) of an `email` column when the first line is a CSV header, else None."""
    for delimiter in _CSV_DELIMITERS:
        fields = next(csv.reader([header_line], delimiter=delimiter))
        names = [field.strip().lower() for field in fields]
        if "email" in names:
            return delimiter, names.index("email")
    return None


def parse_audience(text: str) -> AudienceFile:
    """One address a line, or a CSV whose header has an `email` column (`,` `;` or tab)."""
    text = text.removeprefix("\ufeff")
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    email_column = _email_column(first_line)
    if email_column is None:
        entries = text.splitlines()
    else:
        delimiter, index = email_column
        rows = csv.reader(io.StringIO(text), delimiter=delimiter)
        for row in rows:  # blank lines before the header are not entries
            if any(field.strip() for field in row):
                break
        entries = [row[index] if len(row) > index else "" for row in rows]
    return distinct_addresses(entries)


def distinct_addresses(entries: list[str]) -> AudienceFile:
    """The normalised addresses of ``entries`` in first-seen order, blanks and repeats counted."""
    seen: dict[str, None] = {}
    blank = duplicates = 0
    for entry in entries:
        address = normalise_address(entry)
        if not address:
            blank += 1
        elif address in seen:
            duplicates += 1
        else:
            seen[address] = None
    return AudienceFile(list(seen), len(entries), blank, duplicates)


def read_audience_file(path: Path) -> AudienceFile:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ReportError(f"audience file {path} cannot be read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ReportError(f"audience file {path} is not UTF-8 text") from exc
    return parse_audience(text)


def parse_as_of(text: str | None, timezone: str) -> datetime:
    """--as-of as a UTC instant, read like `softspam run --as-of` (orchestration.timezones)."""
    if not text:
        return datetime.now(UTC)
    try:
        return read_instant(text, timezone)
    except ZoneInfoNotFoundError as exc:
        raise ReportError(f"time zone {timezone!r} of the policy is unknown") from exc
    except ValueError as exc:
        raise ReportError(
            f"--as-of {text!r} is not an ISO 8601 time such as 2026-03-01T10:00:00+01:00"
        ) from exc


def timestamptz_sql(instant: datetime) -> str:
    return f"timestamptz '{instant.astimezone(UTC).isoformat()}'"


def _dbt_executable() -> str:
    beside_python = Path(sys.executable).with_name("dbt")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("dbt")
    if not found:
        raise ReportError("dbt is not installed in this environment")
    return found


def compile_eligibility_sql(warehouse: Path, evaluated_at: datetime, project_dir: Path = PROJECT_DIR) -> str:
    """The macro's SELECT for the TEMP relation ``audience_input`` at ``evaluated_at``, compiled by dbt."""
    return compile_eligibility_sql_at(warehouse, timestamptz_sql(evaluated_at), project_dir)


def compile_eligibility_sql_at(
    warehouse: Path, evaluated_at_sql: str, project_dir: Path = PROJECT_DIR
) -> str:
    """The same SELECT with the instant given as SQL, e.g. a parameter: ``$evaluated_at``."""
    # only the audience's facts are read: the verdicts are the same, an audience is a few persons
    inline = f"{{{{ {ELIGIBILITY_MACRO}('{PERSONS_RELATION}', \"{evaluated_at_sql}\", true) }}}}"
    # Own target and log dirs: compiling must not overwrite the manifest that Dagster reads.
    work_dir = project_dir / "target" / "check_audience"
    policy = load_policy(os.environ.get("SOFTSPAM_POLICY"))
    command = [
        _dbt_executable(), "compile", "--quiet", "--inline", inline,
        "--project-dir", str(project_dir), "--profiles-dir", str(project_dir),
        "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs"),
        "--vars", json.dumps(policy),
    ]  # fmt: skip
    # dbt opens its profile's database even to compile, and read-write: point it at an empty
    # scratch file of the same name (refs are qualified by the file's stem), so the check never
    # takes a lock on the warehouse a pipeline run may be writing.
    with tempfile.TemporaryDirectory(prefix="softspam_check_audience_") as scratch:
        environment = {**os.environ, "SOFTSPAM_WAREHOUSE": str(Path(scratch) / Path(warehouse).name)}
        result = subprocess.run(
            command, capture_output=True, text=True, env=environment, timeout=600, check=False
        )
    output = result.stdout + result.stderr
    if result.returncode != 0:
        if f"'{ELIGIBILITY_MACRO}' is undefined" in output:
            raise EligibilityMacroMissing(
                f"the dbt project does not define the macro {ELIGIBILITY_MACRO}: cannot judge an audience"
            )
        last_line = next((line for line in reversed(output.splitlines()) if line.strip()), "no output")
        raise ReportError(f"dbt could not compile the eligibility query: {last_line.strip()}")
    if not result.stdout.strip():
        raise ReportError("dbt compiled the eligibility query to nothing")
    return result.stdout


def _known_values(connection, sql: str) -> list[str]:
    return [row[0] for row in connection.execute(sql).fetchall()]


# What the last run used: these staging models read the company's landing/reference overrides
# (raw.reference_<seed>) when it supplied them, else the shipped seeds.
CATEGORIES_MODEL = "staging.stg_reference__product_categories"
APPLICATIONS_MODEL = "staging.stg_reference__applications"


def check_category_and_channel(connection, category: str, channel: str) -> None:
    """Fail with the known values rather than judge everyone against a typo."""
    require_tables(connection, CATEGORIES_MODEL, APPLICATIONS_MODEL)
    categories = _known_values(
        connection,
        f"select distinct category from {CATEGORIES_MODEL} order by 1",  # noqa: S608
    )
    if category not in categories:
        raise ReportError(f"unknown category {category!r}; known: {', '.join(categories)}")
    channels = _known_values(
        connection,
        f"select distinct channel from {APPLICATIONS_MODEL} "  # noqa: S608
        "where is_sending_marketing and channel is not null order by 1",
    )
    if channel not in channels:
        raise ReportError(f"channel {channel!r} is not a marketing channel; known: {', '.join(channels)}")


def judge_audience(
    warehouse: Path,
    audience: AudienceFile,
    category: str,
    channel: str,
    evaluated_at: datetime,
    eligibility_sql: str | None = None,
) -> list[Verdict]:
    """One verdict per distinct address, in the file's order; unknown addresses are judged too."""
    category, channel = normalise_address(category), normalise_address(channel)
    connection = connect_read_only(warehouse)
    try:
        check_category_and_channel(connection, category, channel)
    finally:
        connection.close()
    # Compiled while no connection is open: even a read-only one would hold off a pipeline run.
    if eligibility_sql is None:
        eligibility_sql = compile_eligibility_sql(warehouse, evaluated_at)
    connection = connect_read_only(warehouse)
    try:
        return judge_addresses(connection, audience.addresses, category, channel, eligibility_sql)
    finally:
        connection.close()


def judge_addresses(
    connection,
    addresses: list[str],
    category: str,
    channel: str,
    eligibility_sql: str,
    parameters: dict[str, object] | None = None,
) -> list[Verdict]:
    """Run the compiled eligibility query for distinct normalised ``addresses`` on ``connection``.

    ``parameters``: values of the query's named parameters (the service's ``$evaluated_at``).
    The connection gets a TEMP table ``audience_input``: give each call its own connection.
    """
    audience_frame = pd.DataFrame(
        {"position": range(len(addresses)), "email": pd.Series(addresses, dtype="string")}
    )
    connection.register("audience_frame", audience_frame)
    connection.execute(
        f"create or replace temp table {PERSONS_RELATION} as "  # noqa: S608
        "select position, sha256(email) as person_key, email from audience_frame"
    )
    connection.unregister("audience_frame")
    rows = connection.execute(
        f"""
        select a.email, e.is_eligible, e.legal_basis, e.blocking_reason,
               e.person_key is not null as judged
        from {PERSONS_RELATION} a
        left join ({eligibility_sql}) e on e.person_key = a.person_key
            and e.product_category = {sql_literal(category)} and e.channel = {sql_literal(channel)}
        order by a.position
        """,  # noqa: S608
        parameters or None,
    ).fetchall()
    unjudged = sum(1 for row in rows if not row[4])
    if unjudged or len(rows) != len(addresses):
        raise ReportError(
            f"the eligibility query returned no verdict for {unjudged or 'some'} of "
            f"{len(addresses)} addresses (category {category!r}, channel {channel!r})"
        )
    return [Verdict(email, bool(eligible), basis, reason) for email, eligible, basis, reason, _ in rows]


def write_verdicts(verdicts: list[Verdict], target: Path) -> Path:
    with atomic_path(target) as temp_path, temp_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(VERDICT_COLUMNS)
        for verdict in verdicts:
            writer.writerow(
                [
                    neutralise_cell(verdict.email),
                    "true" if verdict.is_eligible else "false",
                    verdict.legal_basis or "",
                    verdict.blocking_reason or "",
                ]
            )
    return target


def summarise(verdicts: list[Verdict], audience: AudienceFile, channel: str = "email") -> str:
    """E.g. '1,240 of 1,300 may be e-mailed: 40 OPPOSED, 20 NOT_ANALOGOUS', then the input accounting."""
    eligible = sum(1 for verdict in verdicts if verdict.is_eligible)
    action = "may be e-mailed" if channel == "email" else f"may be contacted by {channel}"
    headline = f"{eligible:,} of {len(verdicts):,} {action}"
    reasons = Counter(verdict.blocking_reason or "UNKNOWN" for verdict in verdicts if not verdict.is_eligible)
    if reasons:
        ranked = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
        headline += ": " + ", ".join(f"{count:,} {reason}" for reason, count in ranked)
    bases = Counter(verdict.legal_basis for verdict in verdicts if verdict.is_eligible)
    details = [f"{len(audience.addresses):,} distinct addresses from {audience.entries_read:,} entries"]
    if audience.duplicate_entries:
        details.append(
            f"{audience.duplicate_entries:,} duplicate{'s' if audience.duplicate_entries != 1 else ''}"
        )
    if audience.blank_entries:
        details.append(f"{audience.blank_entries:,} blank")
    if bases:
        details.append(
            "eligible on "
            + ", ".join(
                f"{basis or 'unknown basis'}: {count:,}"
                for basis, count in sorted(bases.items(), key=lambda item: (-item[1], str(item[0])))
            )
        )
    return headline + "\n" + "; ".join(details) + "."
