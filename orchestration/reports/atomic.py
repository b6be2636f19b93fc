"""Write-then-rename, so a reader never sees a half-written deliverable.

The temporary file lives in the target's own directory: ``os.replace`` is atomic only within one
file system, and a crash leaves a hidden ``.*.tmp`` file behind rather than a truncated export.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; on success it replaces ``target`` in one step."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    temp_path = Path(temp_name)
    try:
        yield temp_path
        os.replace(temp_path, target)
    finally:
        temp_path.unlink(missing_ok=True)


def write_text_atomic(target: Path, text: str) -> Path:
    """Write ``text`` as UTF-8 to ``target`` atomically."""
    with atomic_path(target) as temp_path:
        temp_path.write_text(text, encoding="utf-8")
    return Path(target)
