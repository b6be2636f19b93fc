"""The exception ingestion raises for files a user must fix.

A warehouse that cannot be opened is orchestration.warehouse's WarehouseOpenError.
"""

from __future__ import annotations

from orchestration.errors import SoftspamError


class IngestionError(SoftspamError):
    """A file that cannot be ingested; the message names the file, line and reason."""
