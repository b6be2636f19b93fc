"""Reference overrides: landing/reference/<seed>.csv replaces raw.reference_<seed> on every run."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingestion_helpers import query, write

from orchestration.ingestion import IngestionError, load_reference_overrides, pending_files


def test_override_is_loaded_and_recorded_once(landing: Path, warehouse: Path) -> None:
    write(
        landing,
        "reference/product_catalog.csv",
        "\ufeffProduct_Category;SKU\r\naudio;AUD-9\r\nsmartphones;SMA-9\r\n",
    )
    write(landing, "reference/unknown_seed.csv", "a,b\n1,2\n")

    assert load_reference_overrides(landing, warehouse) == ["product_catalog"]
    assert load_reference_overrides(landing, warehouse) == ["product_catalog"]

    assert query(warehouse, "select sku, product_category from raw.reference_product_catalog order by 1") == [
        ("AUD-9", "audio"),
        ("SMA-9", "smartphones"),
    ]
    assert query(
        warehouse, "select file_name, kind, rows_read, rows_loaded, status from raw.load_ledger"
    ) == [("reference/product_catalog.csv", "reference", 2, 2, "loaded")]
    assert pending_files(landing, warehouse) == []


def test_removed_override_empties_the_table(landing: Path, warehouse: Path) -> None:
    override = write(landing, "reference/category_analogies.csv", "category,analogous_category\naudio,tv\n")
    load_reference_overrides(landing, warehouse)
    override.unlink()

    assert load_reference_overrides(landing, warehouse) == []
    assert query(warehouse, "select count(*) from raw.reference_category_analogies") == [(0,)]


def test_bad_header_names_file_and_expected_columns_and_changes_nothing(
    landing: Path, warehouse: Path
) -> None:
    write(
        landing,
        "reference/privacy_notices.csv",
        "version,effective_from,has_soft_spam_clause\nv1,2020-01-01,true\n",
    )
    load_reference_overrides(landing, warehouse)
    write(landing, "reference/privacy_notices.csv", "version,valid_from\nv2,2024-01-01\n")

    with pytest.raises(IngestionError) as raised:
        load_reference_overrides(landing, warehouse)

    assert str(raised.value) == (
        "reference/privacy_notices.csv: line 1: header version, valid_from does not match; expected columns "
        "version, effective_from, has_soft_spam_clause (missing: effective_from, has_soft_spam_clause)"
    )
    assert query(warehouse, "select version from raw.reference_privacy_notices") == [("v1",)]


def test_malformed_record_names_its_line(landing: Path, warehouse: Path) -> None:
    write(landing, "reference/product_categories.csv", 'category,description\naudio,"Audio, hi-fi"\ntv\n')

    with pytest.raises(
        IngestionError, match=r"^reference/product_categories.csv: line 3: malformed CSV record"
    ):
        load_reference_overrides(landing, warehouse)
