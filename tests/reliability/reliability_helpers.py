"""Helpers of the reliability suite: landing files, warehouse queries, `softspam` subprocesses."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

SOFTSPAM = str(Path(sys.executable).with_name("softspam"))
TZ = "Europe/Rome"
SENDS_HEADER = (
    "send_id,campaign_id,channel,email,promoted_category,legal_basis,sent_at,has_opt_out_link,source_system"
)
PAUSED = "SOFTSPAM_PAUSE_AT={point}: paused"


def write(landing: Path, relative: str, content: str | bytes) -> Path:
    """A landing file, written byte for byte (text as UTF-8, no newline translation)."""
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def send_line(send_id: str, sent_at: str, email: str = "a@example.it") -> str:
    return f"{send_id},c1,email,{email},audio,soft_spam,{sent_at},true,esp"


def csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def query(warehouse: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute("set TimeZone = 'UTC'")
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def tree_digest(root: Path) -> dict[str, tuple[str, int]]:
    """Relative path -> (SHA-256, mode) of every file under ``root``, hidden ones included."""
    digest = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() or path.is_symlink():
            data = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
            sha = hashlib.sha256(data).hexdigest()
            digest[path.relative_to(root).as_posix()] = (sha, path.lstat().st_mode)
    return digest


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any SOFTSPAM_* setting of the calling test run, plus ``extra``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SOFTSPAM_")}
    env.update(extra)
    return env


@dataclass
class Process:
    """A `softspam` subprocess in its own session (so a kill takes dbt down with it)."""

    args: list[str]
    env: dict[str, str]
    cwd: Path
    popen: subprocess.Popen[str] = field(init=False)
    stdout: str = ""
    stderr_lines: list[str] = field(default_factory=list)
    returncode: int | None = None
    killed: bool = False

    def __post_init__(self) -> None:
        self.popen = subprocess.Popen(
            self.args,
            env=self.env,
            cwd=self.cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        # one reader per pipe: communicate() would race the stderr reader for the same lines
        self._stderr_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._stderr_reader.start()
        self._stdout_chunks: list[str] = []
        self._stdout_reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._stdout_reader.start()

    def _read_stderr(self) -> None:
        assert self.popen.stderr is not None
        for line in self.popen.stderr:
            self.stderr_lines.append(line)

    def _read_stdout(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self._stdout_chunks.append(line)

    @property
    def stderr(self) -> str:
        return "".join(self.stderr_lines)

    def wait_for_stderr(self, marker: str, timeout: float = 180.0) -> None:
        """Until a stderr line holds ``marker``; fails (and stops the process) if it never comes."""
        deadline = time.monotonic() + timeout
        while not any(marker in line for line in list(self.stderr_lines)):
            if self.popen.poll() is not None or time.monotonic() > deadline:
                if self.popen.poll() is None:
                    self.kill()
                else:
                    self.finish(timeout=30)
                raise AssertionError(f"{marker!r} never came; exit {self.returncode}: {self.stderr}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL the whole session: the CLI and its dbt subprocess, like a crash of the machine."""
        os.killpg(self.popen.pid, signal.SIGKILL)
        self.killed = True
        self.finish(timeout=30)

    def finish(self, timeout: float = 300.0) -> Process:
        self.popen.wait(timeout=timeout)
        self._stderr_reader.join(timeout=10)
        self._stdout_reader.join(timeout=10)
        self.stdout = "".join(self._stdout_chunks)
        self.returncode = self.popen.returncode
        return self


def start_run(root: Path, landing: Path, warehouse: Path, output: Path, **env: str) -> Process:
    args = [
        SOFTSPAM,
        "run",
        "--landing",
        str(landing),
        "--warehouse",
        str(warehouse),
        "--output",
        str(output),
        "--as-of",
        "2026-11-01T00:00:00+00:00",
    ]
    return Process(args, clean_env(**env), root)
