"""The one exception ingestion raises for things a user must fix (or wait for)."""

from __future__ import annotations


class IngestionError(Exception):
    """A file or warehouse that cannot be ingested; the message names the file, line and reason."""
