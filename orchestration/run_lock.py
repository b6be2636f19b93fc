"""One writer at a time: a lock file beside the DuckDB warehouse.

DuckDB lets a single process write a database file. Two `softspam run`s (or a CLI run and a
Dagster run) started together would otherwise fail half-way with an obscure DuckDB error, or
interleave loads. Every writer takes ``warehouse_lock`` first; the second one gets a clear
``WarehouseLockedError`` at once (or after ``wait_seconds``).

The lock file only serialises softspam's own writers. Anyone else holding the DuckDB file open (an
analyst's DuckDB shell or notebook, even read-only) also stops a run, because DuckDB's own file
lock refuses the writer: ``ensure_not_open_elsewhere`` finds that out before anything starts and
says so in one line, naming the other process and the published copy readers should open instead
(orchestration/publish.py).

The lock is re-entrant within a process: the CLI takes it, then runs the Dagster job in-process,
whose resources take it again without deadlocking on themselves.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from orchestration.errors import SoftspamError
from orchestration.warehouse import lock_holder

_POLL_SECONDS = 0.2


class WarehouseLockedError(SoftspamError, RuntimeError):
    """Another process is writing the warehouse."""


class WarehouseUnavailableError(WarehouseLockedError):
    """The DuckDB file cannot be opened for writing: another process has it open, or it is unreadable."""


# lock file path -> (open file descriptor, how many holders in this process)
_held: dict[Path, tuple[int, int]] = {}
_held_guard = threading.Lock()


def lock_path_for(warehouse: Path) -> Path:
    """``softspam.duckdb`` -> ``softspam.duckdb.lock``, in the same folder."""
    warehouse = Path(warehouse).resolve()
    return warehouse.with_name(warehouse.name + ".lock")


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextmanager
def warehouse_lock(warehouse: Path, wait_seconds: float = 0.0) -> Iterator[Path]:
    """Hold the warehouse's write lock for the block; yields the lock file's path.

    Raises WarehouseLockedError when another process holds it for longer than ``wait_seconds``.
    """
    path = lock_path_for(warehouse)
    with _held_guard:
        if path in _held:
            fd, count = _held[path]
            _held[path] = (fd, count + 1)
            acquired_here = False
        else:
            acquired_here = True
    if acquired_here:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + wait_seconds
        while not _try_flock(fd):
            if time.monotonic() >= deadline:
                os.close(fd)
                raise WarehouseLockedError(
                    f"another softspam run is writing {Path(warehouse).resolve()} (lock file {path})"
                )
            time.sleep(_POLL_SECONDS)
        # The holder's pid helps whoever finds the lock taken; flock itself is what counts.
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        with _held_guard:
            _held[path] = (fd, 1)
    try:
        yield path
    finally:
        with _held_guard:
            fd, count = _held[path]
            if count > 1:
                _held[path] = (fd, count - 1)
            else:
                del _held[path]
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)


def is_locked(warehouse: Path) -> bool:
    """True when some process (this one included) holds the warehouse's lock right now."""
    path = lock_path_for(warehouse)
    with _held_guard:
        if path in _held:
            return True
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        if _try_flock(fd):
            fcntl.flock(fd, fcntl.LOCK_UN)
            return False
        return True
    finally:
        os.close(fd)


def ensure_not_open_elsewhere(warehouse: Path, wait_seconds: float = 0.0) -> None:
    """Raise WarehouseUnavailableError when the DuckDB file cannot be opened for writing.

    Another process holding it open (read-write or read-only) is named by its PID; the check is
    retried every 0.2 s for up to ``wait_seconds``. A file that does not exist yet is fine.
    """
    path = Path(warehouse).resolve()
    deadline = time.monotonic() + wait_seconds
    while path.exists():
        try:
            duckdb.connect(str(path)).close()
            return
        except duckdb.Error as exc:
            holder = lock_holder(exc)
            if holder is None:
                first = next((line for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
                raise WarehouseUnavailableError(f"the warehouse {path} cannot be opened: {first}") from None
            if time.monotonic() >= deadline:
                from orchestration.publish import analyst_path  # here: it imports this module

                raise WarehouseUnavailableError(
                    f"the warehouse {path} is open in another process (PID {holder[1]}, "
                    f"{Path(holder[0]).name}): close that session (even a read-only one) "
                    f"and run again; readers open the published copy {analyst_path(path)}"
                ) from None
        time.sleep(_POLL_SECONDS)
