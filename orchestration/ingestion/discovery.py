"""Which landing files exist, per kind, and which of them must be refused unread.

Only the kind folders (and reference/) are read; hidden files and any other folder (e.g. a
`_expected/` folder of ground truth) are ignored. A symbolic link that points outside the
landing folder is refused, never followed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import IngestionError
from .raw_schema import REFERENCE_OVERRIDES

KINDS = ("sales", "sends", "oppositions", "consents", "suppressions")
REFERENCE = "reference"


@dataclass(frozen=True)
class LandingFile:
    path: Path  # where to read it (inside the landing folder)
    file_name: str  # path relative to the landing folder, with '/' separators
    kind: str
    application: str | None  # suppressions/<app>/ folder name
    refusal: str | None  # why the file is refused unread, if it is
    link_target: str | None = None  # for a refused symbolic link: where it points

    @property
    def place(self) -> str:
        return landing_place(self.kind, self.file_name)


def landing_place(kind: str, file_name: str) -> str:
    """Where a file lies, as far as its identity goes: the same bytes are ingested once per place.

    A kind; one application's snapshots (suppressions/<app>: two applications' identical
    snapshots are two snapshots); a reference override by its own name.
    """
    if kind == "suppressions":
        parts = file_name.split("/")
        if len(parts) > 2:
            return f"{kind}/{parts[1]}"
    if kind == REFERENCE:
        return file_name
    return kind


def _is_hidden(name: str) -> bool:
    return name.startswith(".")


def _outside(path: Path, landing_root: Path) -> bool:
    return not path.resolve().is_relative_to(landing_root)


def kind_files(landing: Path, kind: str) -> list[LandingFile]:
    """Every non-hidden file under landing/<kind>/, sorted by relative path."""
    if kind not in KINDS:
        raise ValueError(f"unknown landing kind {kind!r}; expected one of {', '.join(KINDS)}")
    root = landing.resolve()
    folder = landing / kind
    if not folder.is_dir():
        return []
    found: list[LandingFile] = []
    for directory, subdirs, files in os.walk(folder, followlinks=False):
        here = Path(directory)
        subdirs[:] = sorted(d for d in subdirs if not _is_hidden(d))
        # os.walk lists symlinked directories among subdirs without entering them
        entries = [here / name for name in files if not _is_hidden(name)]
        entries += [here / name for name in subdirs if (here / name).is_symlink()]
        for path in entries:
            if path.is_symlink() and _outside(path, root):
                found.append(_refused_link(path, landing, kind))
            elif path.is_file():
                found.append(_landing_file(path, landing, kind))
    return sorted(found, key=lambda f: f.file_name)


def _relative(path: Path, landing: Path) -> str:
    return path.relative_to(landing).as_posix()


def _refused_link(path: Path, landing: Path, kind: str) -> LandingFile:
    target = os.readlink(path)
    return LandingFile(
        path=path,
        file_name=_relative(path, landing),
        kind=kind,
        application=_application(path, landing, kind),
        refusal=f"refused: symbolic link pointing outside the landing folder (to {target})",
        link_target=target,
    )


def _application(path: Path, landing: Path, kind: str) -> str | None:
    if kind != "suppressions":
        return None
    parts = path.relative_to(landing / kind).parts
    return parts[0] if len(parts) > 1 else None


def _landing_file(path: Path, landing: Path, kind: str) -> LandingFile:
    application = _application(path, landing, kind)
    refusal = None
    if kind == "suppressions" and application is None:
        refusal = (
            "refused: a suppression snapshot must be in suppressions/<application>/, "
            "the folder naming the application"
        )
    return LandingFile(path, _relative(path, landing), kind, application, refusal)


def reference_files(landing: Path) -> dict[str, Path]:
    """Seed name -> landing/reference/<seed>.csv for the seeds that have an override."""
    folder = landing / REFERENCE
    root = landing.resolve()
    found: dict[str, Path] = {}
    for seed in REFERENCE_OVERRIDES:
        path = folder / f"{seed}.csv"
        if path.is_symlink() and _outside(path, root):
            raise IngestionError(
                f"{REFERENCE}/{seed}.csv: refused, a symbolic link pointing outside the landing folder"
            )
        if path.is_file():
            found[seed] = path
    return found
