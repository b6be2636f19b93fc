"""The one exception ingestion raises for things a user must fix (or wait for)."""

from __future__ import annotations

from orchestration.errors import SoftspamError


class IngestionError(SoftspamError):
    """A file or warehouse that cannot be ingested; the message names the file, line and reason."""
