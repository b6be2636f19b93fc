"""The demo company's reference data, read from the shipped dbt seeds so the demo never drifts."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from orchestration.config import PROJECT_DIR

SEEDS_DIR = PROJECT_DIR / "seeds"


def _rows(name: str, seeds_dir: Path) -> list[dict[str, str]]:
    with (seeds_dir / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class DemoReference:
    categories: tuple[str, ...]
    # bought category -> categories it allows promoting (itself included)
    promotable: dict[str, frozenset[str]]
    skus_by_category: dict[str, tuple[str, ...]]

    def analogous(self, bought: str, promoted: str) -> bool:
        return promoted in self.promotable.get(bought, frozenset({bought}))


def load_reference(seeds_dir: Path = SEEDS_DIR) -> DemoReference:
    categories = tuple(row["category"] for row in _rows("product_categories", seeds_dir))
    promotable: dict[str, set[str]] = {category: {category} for category in categories}
    for row in _rows("category_analogies", seeds_dir):
        promotable.setdefault(row["category"], {row["category"]}).add(row["analogous_category"])
    skus: dict[str, list[str]] = {category: [] for category in categories}
    for row in _rows("product_catalog", seeds_dir):
        skus.setdefault(row["product_category"], []).append(row["sku"])
    return DemoReference(
        categories=categories,
        promotable={category: frozenset(allowed) for category, allowed in promotable.items()},
        skus_by_category={category: tuple(sorted(found)) for category, found in skus.items() if found},
    )
