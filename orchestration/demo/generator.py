"""``generate_demo``: the demo company's landing folder and its answer key, deterministically."""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.demo.casebook import CaseBook
from orchestration.demo.ground_truth import EXPECTED_DIR, GroundTruth
from orchestration.demo.population import Population
from orchestration.demo.reference import load_reference
from orchestration.demo.scenarios import plant_cases
from orchestration.demo.suppressions import SuppressionSnapshots
from orchestration.demo.writers import LandingWriter

LANDING_KINDS = ("sales", "sends", "oppositions", "consents", "suppressions")


@dataclass(frozen=True)
class DemoSummary:
    out: Path
    files_per_kind: dict[str, int]
    rows_per_kind: dict[str, int]  # data rows written (overlapping and quarantined rows included)
    persons: int  # background persons plus planted cases' persons
    sends: int  # distinct sends the warehouse must check (after overlap de-duplication)
    planted_cases: int
    expected_violations: dict[str, int] = field(default_factory=dict)  # rule code -> count

    def lines(self) -> list[str]:
        """A human summary, for the CLI."""
        lines = [f"demo landing folder written to {self.out}"]
        lines += [
            f"  {kind}: {self.files_per_kind.get(kind, 0)} files, {self.rows_per_kind.get(kind, 0)} rows"
            for kind in LANDING_KINDS
        ]
        lines.append(f"  persons: {self.persons}, sends: {self.sends}, planted cases: {self.planted_cases}")
        lines += [f"  expected {code}: {count}" for code, count in sorted(self.expected_violations.items())]
        lines.append(f"  answer key: {self.out / EXPECTED_DIR}")
        return lines


def _clear_previous_demo(out: Path) -> None:
    """Replace an earlier demo (recognised by its answer key) so no stale file survives; never touch
    a landing folder that holds real exports."""
    landed = [kind for kind in LANDING_KINDS if (out / kind).exists()]
    if landed and not (out / EXPECTED_DIR).is_dir():
        kinds = ", ".join(landed)
        raise FileExistsError(
            f"{out} already holds landing data ({kinds}) that is not a demo; choose another folder"
        )
    for kind in (*LANDING_KINDS, EXPECTED_DIR):
        shutil.rmtree(out / kind, ignore_errors=True)


def generate_demo(
    out: Path,
    scale: int = 2000,
    seed: int = 20260301,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Write ``out`` as a landing folder (its previous landing kinds and answer key are replaced)
    with ``scale`` background persons plus the planted cases. Same scale and seed, same bytes."""
    if scale < 0:
        raise ValueError(f"scale must be >= 0, got {scale}")
    out = Path(out)
    _clear_previous_demo(out)
    out.mkdir(parents=True, exist_ok=True)
    landing = LandingWriter(out)
    truth = GroundTruth(out)
    snapshots = SuppressionSnapshots(landing)

    book = CaseBook(landing, truth)
    plant_cases(book)
    book.write_snapshots(snapshots)
    if progress is not None:
        progress(f"planted cases: {truth.planted_cases}")

    population = Population(landing, truth, snapshots, load_reference(), random.Random(seed))
    population.write(scale, progress)

    files, rows = landing.close()
    truth.close()
    return DemoSummary(
        out=out,
        files_per_kind=dict(sorted(files.items())),
        rows_per_kind=dict(sorted(rows.items())),
        persons=population.persons + book.persons,
        sends=truth.sends,
        planted_cases=truth.planted_cases,
        expected_violations=dict(sorted(truth.violations_per_rule.items())),
    )
