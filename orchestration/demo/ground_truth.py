"""The demo's answer key in ``out/_expected/``: what the warehouse must find, written as the data is."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from orchestration.demo.writers import LandingWriter

EXPECTED_DIR = "_expected"
VIOLATIONS_COLUMNS = ("send_id", "source_system", "rule_code")
SENDS_COLUMNS = ("send_id", "source_system", "violation_count")
QUARANTINE_COLUMNS = ("file_name", "line_number", "reason_prefix")
ALIGNMENT_GAPS_COLUMNS = ("application", "email", "opposition_id")


class GroundTruth:
    """Streams the expected outcome of every send, plus quarantine, alignment gaps and case notes."""

    def __init__(self, out: Path) -> None:
        self._files = LandingWriter(out / EXPECTED_DIR)
        self._sends = self._files.stream("sends.csv", SENDS_COLUMNS)
        self._violations = self._files.stream("violations.csv", VIOLATIONS_COLUMNS)
        self._quarantine = self._files.stream("quarantine.csv", QUARANTINE_COLUMNS)
        self._gaps = self._files.stream("alignment_gaps.csv", ALIGNMENT_GAPS_COLUMNS)
        self._cases: list[str] = []
        self._out = out
        self.violations_per_rule: Counter[str] = Counter()
        self.sends = 0

    def compliant_send(self, send_id: str, source_system: str) -> None:
        """Fast path for the bulk of background sends."""
        self._sends.line(f"{send_id},{source_system},0")
        self.sends += 1

    def send(self, send_id: str, source_system: str, rule_codes: Iterable[str]) -> None:
        codes = tuple(rule_codes)
        self._sends.line(f"{send_id},{source_system},{len(codes)}")
        self.sends += 1
        for code in codes:
            self._violations.line(f"{send_id},{source_system},{code}")
            self.violations_per_rule[code] += 1

    def quarantined(self, file_name: str, line_number: int, reason_prefix: str) -> None:
        self._quarantine.row((file_name, str(line_number), reason_prefix))

    def alignment_gap(self, application: str, email: str, opposition_id: str) -> None:
        self._gaps.row((application, email, opposition_id))

    def case(self, line: str) -> None:
        self._cases.append(line)

    @property
    def planted_cases(self) -> int:
        return len(self._cases)

    def close(self) -> None:
        self._files.close()
        text = "# Planted cases\n\nOne line per case: who, what, which rule, why.\n\n"
        text += "".join(f"- {line}\n" for line in self._cases)
        (self._out / EXPECTED_DIR / "cases.md").write_text(text, encoding="utf-8")
