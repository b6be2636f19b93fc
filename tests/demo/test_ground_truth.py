"""The answer key in _expected/: self-consistent, complete, and agreeing with an independent oracle."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from orchestration.demo import DemoSummary, generate_demo
from tests.demo.oracle import Oracle

RULE_CODES = {
    "NO_LEGAL_BASIS",
    "NON_EMAIL_CHANNEL",
    "NO_OPT_OUT_LINK",
    "SENT_AFTER_OPPOSITION",
    "CONSENT_MISSING",
    "NO_SALE_RELATIONSHIP",
    "NOT_ANALOGOUS",
    "NOT_INFORMED",
    "AUTHORIZATION_EXPIRED",
}
APPLICATIONS = {"mailchimp": ("email", 48), "crm": ("email", 72), "sms_gateway": ("sms", 24)}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_sends_and_violations_agree(demo: tuple[Path, DemoSummary]) -> None:
    out, summary = demo
    sends = _rows(out / "_expected/sends.csv")
    violations = _rows(out / "_expected/violations.csv")
    keys = [(row["send_id"], row["source_system"]) for row in sends]
    assert len(keys) == len(set(keys)) == summary.sends
    per_send = Counter((row["send_id"], row["source_system"]) for row in violations)
    assert set(per_send) <= set(keys)
    counts = {key: int(row["violation_count"]) for key, row in zip(keys, sends, strict=True)}
    assert {key: count for key, count in counts.items() if count} == dict(per_send)
    rule_rows = Counter((row["send_id"], row["source_system"], row["rule_code"]) for row in violations)
    assert max(rule_rows.values()) == 1
    assert dict(Counter(row["rule_code"] for row in violations)) == summary.expected_violations


def test_every_rule_of_the_domain_is_expected_somewhere(demo: tuple[Path, DemoSummary]) -> None:
    out, _ = demo
    assert {row["rule_code"] for row in _rows(out / "_expected/violations.csv")} == RULE_CODES


def test_oracle_agrees_with_expected_violations(
    demo: tuple[Path, DemoSummary], expected_rules: dict[tuple[str, str], list[str]]
) -> None:
    out, _ = demo
    judged = Oracle(out).violations()
    disagreements = {
        key: (expected_rules.get(key), judged.get(key))
        for key in expected_rules.keys() | judged.keys()
        if expected_rules.get(key) != judged.get(key)
    }
    assert disagreements == {}


def test_oracle_agrees_on_quarantine_and_alignment_gaps(demo: tuple[Path, DemoSummary]) -> None:
    out, _ = demo
    oracle = Oracle(out)
    quarantine = _rows(out / "_expected/quarantine.csv")
    assert sorted(oracle.quarantine) == sorted(
        (row["file_name"], int(row["line_number"])) for row in quarantine
    )
    assert {row["reason_prefix"] for row in quarantine} == {"missing", "unparseable"}
    gaps = {
        (row["application"], row["email"], row["opposition_id"])
        for row in _rows(out / "_expected/alignment_gaps.csv")
    }
    assert oracle.alignment_gaps(APPLICATIONS) == gaps
    assert {application for application, _, _ in gaps} == set(APPLICATIONS)


def test_oracle_agrees_at_a_larger_scale_with_another_seed(tmp_path: Path) -> None:
    summary = generate_demo(tmp_path, scale=3000, seed=99)
    expected = {(r["send_id"], r["source_system"]): [] for r in _rows(tmp_path / "_expected/sends.csv")}
    for row in _rows(tmp_path / "_expected/violations.csv"):
        expected[(row["send_id"], row["source_system"])].append(row["rule_code"])
    oracle = Oracle(tmp_path)
    assert oracle.violations() == {key: sorted(codes) for key, codes in expected.items()}
    assert summary.sends == len(expected)


def test_most_sends_are_compliant_at_the_default_scale(tmp_path: Path) -> None:
    summary = generate_demo(tmp_path)
    flagged = sum(1 for row in _rows(tmp_path / "_expected/sends.csv") if row["violation_count"] != "0")
    assert 0.85 <= 1 - flagged / summary.sends <= 0.95
    assert 8 <= summary.sends / summary.persons <= 12
