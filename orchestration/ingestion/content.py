"""File bytes: content hash, encoding check, and transcoding of non-UTF-8 exports.

Italian Excel saves CSV as Windows-1252; such a file is transcoded to a temporary UTF-8 copy
(the landing file itself is never modified) and the ledger says so.
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path

_CHUNK = 1 << 20
_BOM = codecs.BOM_UTF8

# (path, size, mtime_ns) -> sha256: a sensor polls often, and unchanged files need no rehash.
_hash_cache: dict[tuple[str, int, int], str] = {}


@dataclass(frozen=True)
class Content:
    sha256: str
    size: int
    is_utf8: bool
    is_blank: bool  # no bytes but a BOM and whitespace


def sha256_of(path: Path) -> str:
    """SHA-256 hex of the file's bytes, cached while size and mtime are unchanged."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _hash_cache:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
        _hash_cache[key] = digest.hexdigest()
    return _hash_cache[key]


def inspect(path: Path, sha256: str | None = None) -> Content:
    """Hash the file and check, in the same pass, whether it is valid UTF-8.

    ``sha256``: the hash when the caller has it already (the ledger hashed the file to decide
    whether it is new): the file is not hashed a second time.
    """
    digest = hashlib.sha256() if sha256 is None else None
    decoder = codecs.getincrementaldecoder("utf-8")()
    is_utf8 = True
    is_blank = True
    size = 0
    with path.open("rb") as handle:
        first = True
        while chunk := handle.read(_CHUNK):
            if digest is not None:
                digest.update(chunk)
            size += len(chunk)
            text_bytes = chunk[len(_BOM) :] if first and chunk.startswith(_BOM) else chunk
            first = False
            if is_blank and text_bytes.strip():
                is_blank = False
            if is_utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    is_utf8 = False
    if is_utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            is_utf8 = False
    known = sha256 if digest is None else digest.hexdigest()
    return Content(sha256=known, size=size, is_utf8=is_utf8, is_blank=is_blank)


def transcode_to_utf8(source: Path, target: Path) -> str:
    """Write ``source`` decoded as cp1252 (else latin-1) to ``target`` as UTF-8; return the codec."""
    raw = source.read_bytes()
    for codec in ("cp1252", "latin-1"):
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        target.write_text(text, encoding="utf-8", newline="")
        return codec
    raise AssertionError("latin-1 decodes every byte sequence")
