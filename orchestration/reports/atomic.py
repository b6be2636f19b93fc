"""Write-then-rename, so a reader never sees a half-written deliverable.

The temporary file lives in the target's own directory: ``os.replace`` is atomic only within one
file system, and a crash leaves a hidden ``.<name>.<pid>.*.tmp`` file behind rather than a
truncated export. The next write of the same target removes such leftovers of processes that no
longer exist (a live writer's temporary file is never touched).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from orchestration import hooks

# SOFTSPAM_PAUSE_AT=report: report.html is written to its temporary file, not yet renamed
PAUSE_POINT = "report"
PAUSED_TARGET = "report.html"


def _pid_is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Delete the leftover temporary files of ``target`` whose writer process has died."""
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(\d+)\..*\.tmp$")
    removed = []
    if not target.parent.is_dir():
        return removed
    for sibling in target.parent.iterdir():
        match = pattern.match(sibling.name)
        if match and int(match.group(1)) != os.getpid() and not _pid_is_alive(int(match.group(1))):
            sibling.unlink(missing_ok=True)
            removed.append(sibling)
    return removed


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; on success it replaces ``target`` in one step."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    fd, temp_name = tempfile.mkstemp(
        prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent
    )
    os.close(fd)
    temp_path = Path(temp_name)
    # mkstemp makes the file 0600; a published deliverable gets the mode a plain write would give
    umask = os.umask(0)
    os.umask(umask)
    temp_path.chmod(0o666 & ~umask)
    try:
        yield temp_path
        if target.name == PAUSED_TARGET:
            hooks.checkpoint(PAUSE_POINT)
        os.replace(temp_path, target)
    finally:
        temp_path.unlink(missing_ok=True)


def write_text_atomic(target: Path, text: str) -> Path:
    """Write ``text`` as UTF-8 to ``target`` atomically."""
    with atomic_path(target) as temp_path:
        temp_path.write_text(text, encoding="utf-8")
    return Path(target)
