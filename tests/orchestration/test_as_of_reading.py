"""`softspam run --as-of` (dbt's var, read by macros/time.sql) and `check-audience --as-of`
(parse_as_of) evaluate at the same instant, also at a local time a clock change repeats or skips."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import jinja2
import pytest

from orchestration.config import ConfigError, Settings
from orchestration.reports.audience import parse_as_of

PROJECT = Path(__file__).resolve().parents[2]
ROME = "Europe/Rome"
CASES = [
    ("2026-10-25T02:30:00", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),  # repeated: the first
    ("2026-03-29T02:30:00", datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),  # skipped: the offset before
    ("2026-10-25 02:30", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
    ("2026-10-25T02:30:00+01:00", datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),
    ("2026-07-01", datetime(2026, 6, 30, 22, 0, tzinfo=UTC)),
]


def _policy_file(tmp_path: Path, timezone: str) -> Path:
    path = tmp_path / "policy.yml"
    path.write_text(f"timezone: {timezone}\n", encoding="utf-8")
    return path


def _parse_instant_in_duckdb(as_of: str, timezone: str) -> datetime:
    """macros/time.sql's duckdb__parse_instant, rendered with plain Jinja, run in DuckDB."""
    source = (PROJECT / "macros" / "time.sql").read_text(encoding="utf-8")
    env = jinja2.Environment(autoescape=False)  # noqa: S701 (SQL, not HTML)
    env.globals["var"] = lambda name, default=None: {"timezone": timezone}.get(name, default)
    literal = "'" + as_of.replace("'", "''") + "'"
    sql = env.from_string(source + "{{ duckdb__parse_instant(text) }}").render(text=literal).strip()
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    [(instant,)] = con.execute(f"select {sql}").fetchall()  # noqa: S608
    return instant


@pytest.mark.parametrize(("as_of", "instant"), CASES)
def test_run_and_check_audience_read_as_of_alike(tmp_path: Path, as_of: str, instant: datetime) -> None:
    settings = Settings.resolve(
        landing=tmp_path, warehouse=tmp_path / "w.duckdb", output=tmp_path,
        policy_file=_policy_file(tmp_path, ROME), as_of=as_of,
    )  # fmt: skip
    dbt_as_of = settings.dbt_vars()["as_of"]

    assert dbt_as_of == instant.isoformat()
    assert dbt_as_of.endswith("+00:00")
    assert _parse_instant_in_duckdb(dbt_as_of, ROME) == instant
    assert parse_as_of(as_of, ROME) == instant
    # dbt invoked by hand with the local text reads it the same way
    assert _parse_instant_in_duckdb(as_of, ROME) == instant


def test_as_of_follows_the_policy_zone(tmp_path: Path) -> None:
    settings = Settings.resolve(
        landing=tmp_path, warehouse=tmp_path / "w.duckdb", output=tmp_path,
        policy_file=_policy_file(tmp_path, "America/New_York"), as_of="2026-11-01T01:30:00",
    )  # fmt: skip

    assert settings.as_of == "2026-11-01T05:30:00+00:00"  # the first 01:30, still EDT (-04)
    assert parse_as_of("2026-11-01T01:30:00", "America/New_York").isoformat() == settings.as_of


def test_resolved_as_of_is_stable(tmp_path: Path) -> None:
    # the run exports SOFTSPAM_AS_OF and Dagster's resource resolves it again
    first = Settings.resolve(
        landing=tmp_path, warehouse=tmp_path / "w.duckdb", output=tmp_path, as_of="2026-10-25 02:30"
    )
    again = Settings.resolve(
        landing=tmp_path, warehouse=tmp_path / "w.duckdb", output=tmp_path, as_of=first.as_of
    )

    assert again.as_of == first.as_of


def test_unreadable_as_of_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not an ISO 8601 timestamp"):
        Settings.resolve(
            landing=tmp_path, warehouse=tmp_path / "w.duckdb", output=tmp_path, as_of="yesterday"
        )
