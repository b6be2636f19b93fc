"""The --policy file: overrides the dbt vars, refuses unknown settings and wrong types."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.config import ConfigError, default_policy, load_policy


def _policy_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_the_dbt_project_vars() -> None:
    assert default_policy() == {
        "timezone": "Europe/Rome",
        "opposition_grace_hours": 0,
        "authorization_window_months": 24,
        "withdrawal_is_opposition": True,
        "controller": "demo_shop_srl",
    }


def test_a_policy_file_overrides_only_what_it_names(tmp_path: Path) -> None:
    policy = load_policy(_policy_file(tmp_path, "opposition_grace_hours: 4\nauthorization_window_months:\n"))
    assert policy["opposition_grace_hours"] == 4
    assert policy["authorization_window_months"] is None
    assert policy["timezone"] == "Europe/Rome"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("grace: 4\n", "unknown settings ['grace']"),
        ("opposition_grace_hours: abc\n", "opposition_grace_hours = 'abc' is not a whole number"),
        ("opposition_grace_hours: -1\n", "opposition_grace_hours = -1 is not a whole number of hours >= 0"),
        ("authorization_window_months: 0\n", "authorization_window_months = 0 is not a whole"),
        ("withdrawal_is_opposition: maybe\n", "withdrawal_is_opposition = 'maybe' is not true or false"),
        ("timezone: Mars/Olympus\n", "timezone = 'Mars/Olympus' is not an IANA time zone"),
        ("controller: \"x' or '1'='1\"\n", "is not a company name"),
        ("- a list\n", "expected a mapping"),
    ],
)
def test_a_wrong_setting_is_refused_with_its_name(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_policy(_policy_file(tmp_path, text))
    assert message in str(raised.value)
    assert str(tmp_path / "policy.yml") in str(raised.value)
