"""CSV export files as other companies' systems write them: delimiter, byte-order mark, line
ends, a header of their own column order. Written here, not with the demo's writer, so that the
project is measured on files it did not write itself."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Dialect:
    delimiter: str = ","
    bom: bool = False
    newline: str = "\n"


COMMA = Dialect()
# what Italian till and spreadsheet software saves: semicolons, a BOM, Windows line ends
TILL = Dialect(delimiter=";", bom=True, newline="\r\n")


class ExportFile:
    """One file, opened on creation; ``write`` returns the physical line the row is on (header 1)."""

    def __init__(self, path: Path, header: Sequence[str], dialect: Dialect) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = path.open("w", encoding="utf-8-sig" if dialect.bom else "utf-8", newline="")
        self._writer = csv.writer(self._handle, delimiter=dialect.delimiter, lineterminator=dialect.newline)
        self._writer.writerow(header)
        self.rows = 0

    def write(self, values: Sequence[str]) -> int:
        self._writer.writerow(values)
        self.rows += 1
        return self.rows + 1  # values never hold a line break: one physical line per row

    def close(self) -> None:
        self._handle.close()


class ExportFolder:
    """The files of one landing folder, each opened on first use."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._files: dict[str, ExportFile] = {}

    def file(self, relative: str, header: Sequence[str], dialect: Dialect = COMMA) -> ExportFile:
        found = self._files.get(relative)
        if found is None:
            found = self._files[relative] = ExportFile(self.root / relative, header, dialect)
        return found

    def close(self) -> dict[str, int]:
        """Close every file; data rows per file (its path relative to the folder)."""
        rows = {relative: found.rows for relative, found in sorted(self._files.items())}
        for found in self._files.values():
            found.close()
        self._files.clear()
        return rows
