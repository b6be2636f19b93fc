"""Streaming CSV files of the landing folder: one open handle per file, rows written as they come."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from orchestration.demo.formats import PLAIN, Dialect


class CsvStream:
    """One output file. ``line`` takes a pre-joined row (the fast path for background rows whose
    values never need quoting); ``row`` quotes values and returns the physical line it starts on."""

    def __init__(self, path: Path, header: Sequence[str], dialect: Dialect) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = path.open("w", encoding="utf-8-sig" if dialect.bom else "utf-8", newline="")
        self._newline = dialect.newline
        self._buffer = io.StringIO()
        self._csv = csv.writer(self._buffer, delimiter=dialect.delimiter, lineterminator=dialect.newline)
        self.delimiter = dialect.delimiter
        self.rows = 0
        self._physical_lines = 0
        self.row(header)
        self.rows = 0

    def line(self, text: str) -> None:
        self._handle.write(text + self._newline)
        self.rows += 1
        self._physical_lines += 1

    def row(self, values: Sequence[str]) -> int:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._csv.writerow(values)
        text = self._buffer.getvalue()
        self._handle.write(text)
        starts_on = self._physical_lines + 1
        self._physical_lines += text.count("\n")
        self.rows += 1
        return starts_on

    def close(self) -> None:
        self._handle.close()


class LandingWriter:
    """Every file of one demo landing folder, opened on first use and counted per kind."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._streams: dict[str, CsvStream] = {}

    def stream(self, relative: str, header: Sequence[str], dialect: Dialect = PLAIN) -> CsvStream:
        found = self._streams.get(relative)
        if found is None:
            found = self._streams[relative] = CsvStream(self.root / relative, header, dialect)
        return found

    def close(self) -> tuple[Counter[str], Counter[str]]:
        """Close every file; return (files per kind, rows per kind)."""
        files: Counter[str] = Counter()
        rows: Counter[str] = Counter()
        for relative, found in sorted(self._streams.items()):
            found.close()
            kind = relative.split("/", 1)[0]
            files[kind] += 1
            rows[kind] += found.rows
        return files, rows
