"""What ingestion reports back to its callers (Dagster assets, the CLI, the sensor)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FileLoad:
    """One landed file, as recorded in raw.load_ledger."""

    load_id: int
    file_name: str  # path relative to the landing folder
    kind: str
    format: str | None  # canonical, shopify, mailchimp; None when unrecognised
    content_sha256: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    status: str  # loaded, loaded_with_quarantine, quarantined
    message: str | None
    # columns the file names twice that no verdict reads (the first is read): a finding
    repeated_columns: str | None = None


@dataclass(frozen=True)
class PendingFile:
    """A landing file whose content has not been loaded yet."""

    file_name: str  # path relative to the landing folder
    kind: str  # a landing kind, or 'reference'
    content_sha256: str
