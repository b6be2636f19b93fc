"""The service's journal of posted objections: landing files the next `softspam run` ingests.

One file per objection, ``<landing>/oppositions/journal/service-<date>-<opposition_id>.csv``, in
the canonical oppositions format. Ingestion knows a file by the SHA-256 of its bytes within its
place, so a file that grew after a run loaded it would be a new load of every line in it; a
file written once and never touched again is loaded exactly once. Each file is written under a
hidden name (ingestion skips hidden files), synced, renamed into place and its folder synced:
a run sees the whole file or nothing, and a 201 is only answered once both are on disk.
"""

from __future__ import annotations

import csv
import io
import os
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from orchestration.timezones import utc_iso

JOURNAL_FOLDER = Path("oppositions") / "journal"
COLUMNS = ("opposition_id", "email", "scope", "opposed_at", "recorded_at", "request_channel", "source_system")


@dataclass(frozen=True)
class Objection:
    opposition_id: str
    email: str
    scope: str
    opposed_at: datetime
    recorded_at: datetime
    request_channel: str | None
    source_system: str

    def as_row(self) -> dict[str, str]:
        row = asdict(self)
        row["opposed_at"], row["recorded_at"] = utc_iso(self.opposed_at), utc_iso(self.recorded_at)
        row["request_channel"] = self.request_channel or ""
        return row


def new_opposition_id(now: datetime) -> str:
    """Sorted by time, unique without coordination (several service processes may write)."""
    return f"svc-{now.astimezone(UTC).strftime('%Y%m%dT%H%M%S%fZ')}-{uuid.uuid4().hex[:12]}"


def journal_dir(landing: Path) -> Path:
    return Path(landing) / JOURNAL_FOLDER


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def append(landing: Path, objection: Objection) -> Path:
    """Write ``objection`` as its own journal file, durably; returns the file."""
    folder = journal_dir(landing)
    missing = []
    probe = folder
    while not probe.is_dir():
        missing.append(probe)
        probe = probe.parent
    folder.mkdir(parents=True, exist_ok=True)
    for created in reversed(missing):  # a new folder's entry is durable once its parent is synced
        _fsync_dir(created.parent)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerow(objection.as_row())
    name = f"service-{objection.recorded_at.astimezone(UTC):%Y-%m-%d}-{objection.opposition_id}.csv"
    target = folder / name
    temporary = folder / f".{name}.tmp"
    with temporary.open("w", encoding="utf-8", newline="") as handle:
        handle.write(buffer.getvalue())
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)
    _fsync_dir(folder)
    return target


def read_journal(landing: Path) -> list[Objection]:
    """Every objection in the journal files (a service restarted before a run still honours them)."""
    folder = journal_dir(landing)
    if not folder.is_dir():
        return []
    found: list[Objection] = []
    for path in sorted(folder.glob("service-*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                found.append(
                    Objection(
                        opposition_id=row["opposition_id"],
                        email=row["email"],
                        scope=row["scope"],
                        opposed_at=datetime.fromisoformat(row["opposed_at"]),
                        recorded_at=datetime.fromisoformat(row["recorded_at"]),
                        request_channel=row["request_channel"] or None,
                        source_system=row["source_system"],
                    )
                )
    return found
