"""Company B's generator (benchmarks/shapes/company_b.py): same persons and seed, same bytes, and
files that say what docs/formats.md allows; its extra day of exports is deterministic too."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from benchmarks.incremental_day import write_day
from benchmarks.shapes import company_b


def _digests(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("company_b") / "landing"
    company_b.generate(out, 300)
    return out


def test_same_persons_and_seed_same_bytes(generated: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    company_b.generate(again, 300)
    assert _digests(again) == _digests(generated)
    other_seed = tmp_path / "other_seed"
    company_b.generate(other_seed, 300, seed=company_b.SEED + 1)
    assert _digests(other_seed) != _digests(generated)


def test_quarterly_files_and_the_six_reference_seeds(generated: Path) -> None:
    summary = json.loads((generated / company_b.SUMMARY).read_text())
    assert summary["files_per_kind"] == {
        "consents": 12,
        "oppositions": 12,
        "reference": 6,
        "sales": 24,
        "sends": 24,
        "suppressions": 16,
    }
    shipped = {path.name: path for path in (Path(company_b.__file__).parents[2] / "seeds").glob("*.csv")}
    for name, seed in shipped.items():
        ours = (generated / "reference" / name).read_text(encoding="utf-8").splitlines()[0]
        assert ours == seed.read_text(encoding="utf-8").splitlines()[0], name
    assert 0.10 <= summary["without_offset_share"] <= 0.20, summary


def test_till_receipts_in_their_own_layout(generated: Path) -> None:
    raw = (generated / "sales" / "pos_2025Q1.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())
    header, first = raw.decode("utf-8-sig").split("\r\n")[:2]
    assert header == "source_system;ordered_at;order_id;line_id;email;product_category"
    ordered_at, email = first.split(";")[1], first.split(";")[4]
    assert ordered_at[2] == "/" and ordered_at[5] == "/" and len(ordered_at) == 16
    assert email == "" or (email == email.upper() and email.endswith(" "))


def test_generation_is_cached_by_persons_seed_and_code(generated: Path) -> None:
    assert company_b.is_generated(generated, 300)
    assert not company_b.is_generated(generated, 301)
    assert not company_b.is_generated(generated, 300, seed=1)


def test_refuses_a_folder_of_real_exports(tmp_path: Path) -> None:
    (tmp_path / "sales").mkdir()
    with pytest.raises(FileExistsError):
        company_b.generate(tmp_path, 10)


def test_one_more_day_is_deterministic_and_only_adds_files(generated: Path, tmp_path: Path) -> None:
    digests = []
    for name in ("first", "second"):
        landing = tmp_path / name
        shutil.copytree(generated, landing)
        rows = write_day(landing, shape=company_b.DAY)
        assert rows["sends"] >= 10 and min(rows.values()) >= 3
        digests.append(_digests(landing))
    assert digests[0] == digests[1]
    added = sorted(set(digests[0]) - set(_digests(generated)))
    assert added == [
        "consents/consents_2026-10-31.csv",
        "oppositions/objections_2026-10-31.csv",
        "sales/web_orders_2026-10-31.csv",
        "sends/crm_2026-10-31.csv",
        "sends/newsletter_2026-10-31.csv",
    ]
    assert all(digests[0][name] == digest for name, digest in _digests(generated).items())
