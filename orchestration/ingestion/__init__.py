"""Ingestion of the landing folder into the DuckDB schema `raw` (docs/formats.md section 1).

Public API, used by the Dagster assets, the sensor and the CLI.
"""

from __future__ import annotations

from .discovery import KINDS
from .errors import IngestionError
from .ledger import pending_files
from .loader import ingest_kind
from .raw_schema import ensure_raw_schema
from .reference import load_reference_overrides
from .results import FileLoad, PendingFile

__all__ = [
    "KINDS",
    "FileLoad",
    "IngestionError",
    "PendingFile",
    "ensure_raw_schema",
    "ingest_kind",
    "load_reference_overrides",
    "pending_files",
]
