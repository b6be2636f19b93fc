"""What the service judges with: the latest published build, in memory, plus the posted objections.

The verdicts are the dbt macro ``audience_eligibility_query``'s, compiled once with the instant as
a parameter (``$evaluated_at``) and run through ``judge_addresses``, the very function behind
``softspam check-audience``: the service never re-implements a rule.

A build is loaded into an in-memory DuckDB whose catalog has the published copy's name, so the
compiled SQL runs on it unchanged, with the fact tables sorted by person: a look-up of one person
then reads a few row groups, not the tables. An objection posted to the service is inserted into
that build's ``int_oppositions_unioned`` as the next run will land it, so every rule reads it
exactly as it will read the ingested one (docs/rules.md section 3.2); a new build gets every
journal objection it does not hold yet before it replaces the old one.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from orchestration.publish import READER_RELATIONS, latest_published, published_dir
from orchestration.reports.audience import (
    Verdict,
    check_category_and_channel,
    compile_eligibility_sql_at,
    judge_addresses,
)
from orchestration.serve.journal import Objection, read_journal
from orchestration.warehouse import quote_identifier

EVALUATED_AT_SQL = "cast($evaluated_at as timestamptz)"
OPPOSITIONS = "intermediate.int_oppositions_unioned"
# The origin the run gives a row of a canonical oppositions file: a journal line, once ingested.
JOURNAL_ORIGIN = "opposition_export"


def person_key(email: str) -> str:
    return hashlib.sha256(email.encode("utf-8")).hexdigest()


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class LoadedBuild:
    """One published build copied into memory; closed once retired and no request holds it."""

    def __init__(self, published: Path, manifest: dict[str, Any]) -> None:
        self.manifest = manifest
        self.build_id: str = manifest["build_id"]
        self.built_at: str = manifest["built_at"]
        started = time.monotonic()
        self._database = duckdb.connect(":memory:")
        self._catalog = quote_identifier(Path(published).stem)
        self._database.execute(f"attach ':memory:' as {self._catalog}")
        self._database.execute(f"use {self._catalog}")
        self._database.execute(f"attach {_literal(str(published))} as published_source (read_only)")
        for relation in READER_RELATIONS:
            schema, name = (quote_identifier(part) for part in relation.split("."))
            columns = {
                row[0]
                for row in self._database.execute(
                    f"describe published_source.{schema}.{name}"  # noqa: S608
                ).fetchall()
            }
            order = " order by person_key" if "person_key" in columns else ""
            self._database.execute(f"create schema if not exists {schema}")
            self._database.execute(
                f"create table {schema}.{name} as select * from published_source.{schema}.{name}{order}"  # noqa: S608
            )
        self._database.execute("detach published_source")
        self.load_seconds = time.monotonic() - started
        self._write_lock = threading.Lock()
        self._state = threading.Lock()
        self._local = threading.local()
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self._known: set[tuple[str, str]] = set()
        self._users = 0
        self._retired = False
        self._closed = False

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's connection to the build (DuckDB connections are not shared by threads)."""
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self._database.cursor()
            cursor.execute(f"use {self._catalog}")  # each connection starts in the default catalog
            self._local.cursor = cursor
            with self._state:
                self._cursors.append(cursor)
        return cursor

    def check(self, category: str, channel: str) -> None:
        """check-audience's own check of the category and channel, once per pair and build."""
        if (category, channel) not in self._known:
            check_category_and_channel(self.cursor(), category, channel)
            self._known.add((category, channel))

    def add_objections(self, objections: Iterable[Objection]) -> int:
        """Insert the objections this build does not hold yet, as ingestion would land them."""
        added = 0
        with self._write_lock:
            cursor = self.cursor()
            for objection in objections:
                cursor.execute(
                    f"""
                    insert into {OPPOSITIONS} by name
                    select $opposition_id as opposition_id, $source_system as source_system,
                           $person_key as person_key, $email as email, $scope as scope,
                           $scope as scope_as_given, $opposed_at as opposed_at,
                           $request_channel as request_channel, $origin as origin,
                           false as is_scope_defaulted
                    where not exists (
                        select 1 from {OPPOSITIONS}
                        where origin = $origin and source_system = $source_system
                          and opposition_id = $opposition_id
                    )
                    """,  # noqa: S608
                    {
                        "opposition_id": objection.opposition_id,
                        "source_system": objection.source_system,
                        "person_key": person_key(objection.email),
                        "email": objection.email,
                        "scope": objection.scope,
                        "opposed_at": objection.opposed_at,
                        "request_channel": objection.request_channel,
                        "origin": JOURNAL_ORIGIN,
                    },
                )
                added += cursor.fetchall()[0][0]
        return added

    def oppositions_of(self, email: str, evaluated_at: datetime) -> list[dict[str, Any]]:
        """The person's objections at the instant: the evidence behind an OPPOSED verdict."""
        rows = (
            self.cursor()
            .execute(
                f"select opposition_id, source_system, scope, opposed_at, request_channel, origin "  # noqa: S608
                f"from {OPPOSITIONS} where person_key = $person_key and opposed_at <= $evaluated_at "
                "order by opposed_at",
                {"person_key": person_key(email), "evaluated_at": evaluated_at},
            )
            .fetchall()
        )
        names = ("opposition_id", "source_system", "scope", "opposed_at", "request_channel", "origin")
        return [dict(zip(names, row, strict=True)) for row in rows]

    def acquire(self) -> bool:
        with self._state:
            if self._closed:
                return False
            self._users += 1
            return True

    def release(self) -> None:
        with self._state:
            self._users -= 1
            idle = self._retired and self._users == 0
        if idle:
            self.close()

    def retire(self) -> None:
        with self._state:
            self._retired = True
            idle = self._users == 0
        if idle:
            self.close()

    def close(self) -> None:
        with self._state:
            if self._closed:
                return
            self._closed = True
            cursors, self._cursors = self._cursors, []
        for cursor in cursors:
            cursor.close()
        self._database.close()


class Eligibility:
    """The current build, swapped for a newer published one without dropping a request."""

    def __init__(
        self,
        warehouse: Path,
        landing: Path,
        eligibility_sql: str | None = None,
        check_every_seconds: float = 2.0,
    ) -> None:
        self.warehouse = Path(warehouse)
        self.landing = Path(landing)
        published, manifest = latest_published(self.warehouse)
        # Compiled once: the SQL depends on the project and policy, not on the build or instant.
        self.sql = eligibility_sql or compile_eligibility_sql_at(published, EVALUATED_AT_SQL)
        self._overlay_lock = threading.Lock()
        self.objections: list[Objection] = read_journal(self.landing)
        self._build = self._load(published, manifest)
        self._check_every = check_every_seconds
        self._checked_at = time.monotonic()
        self._swap_lock = threading.Lock()
        self._manifest_stat: tuple[int, int] | None = self._stat()

    def _load(self, published: Path, manifest: dict[str, Any]) -> LoadedBuild:
        build = LoadedBuild(published, manifest)
        with self._overlay_lock:
            build.add_objections(self.objections)
        return build

    def _stat(self) -> tuple[int, int] | None:
        try:
            found = (published_dir(self.warehouse) / "latest.json").stat()
        except OSError:
            return None
        return found.st_mtime_ns, found.st_ino

    @property
    def build(self) -> LoadedBuild:
        return self._build

    def refresh(self) -> bool:
        """Load the newest published build if it is not the current one; True when swapped."""
        if not self._swap_lock.acquire(blocking=False):
            return False  # another thread is loading it: keep answering from the current build
        try:
            self._manifest_stat = self._stat()
            published, manifest = latest_published(self.warehouse)
            if manifest["build_id"] == self._build.build_id:
                return False
            fresh = LoadedBuild(published, manifest)
            # under the overlay lock: no objection posted meanwhile can miss the new build
            with self._overlay_lock:
                fresh.add_objections(self.objections)
                old, self._build = self._build, fresh
            old.retire()
            return True
        finally:
            self._swap_lock.release()

    def maybe_refresh(self) -> None:
        """At most every few seconds, a stat of latest.json; a changed one loads in the background."""
        now = time.monotonic()
        if now - self._checked_at < self._check_every:
            return
        self._checked_at = now
        if self._stat() != self._manifest_stat:
            threading.Thread(target=self._refresh_quietly, daemon=True).start()

    def _refresh_quietly(self) -> None:
        try:
            self.refresh()
        except Exception:  # noqa: BLE001 - a bad new build must not stop answers from the current one
            self._manifest_stat = None

    @contextmanager
    def current(self) -> Iterator[LoadedBuild]:
        """The build to answer one request from, held until the answer is computed."""
        while True:
            build = self._build
            if build.acquire():
                break
        try:
            yield build
        finally:
            build.release()

    def record(self, objection: Objection) -> None:
        """Honour a journalled objection in every later look-up."""
        with self._overlay_lock:
            self.objections.append(objection)
            self._build.add_objections([objection])

    def judge(
        self, addresses: list[str], category: str, channel: str, evaluated_at: datetime
    ) -> tuple[list[Verdict], LoadedBuild]:
        with self.current() as build:
            build.check(category, channel)
            verdicts = judge_addresses(
                build.cursor(),
                addresses,
                category,
                channel,
                self.sql,
                {"evaluated_at": evaluated_at.astimezone(UTC)},
            )
            return verdicts, build

    def close(self) -> None:
        self._build.retire()


class _Pending:
    __slots__ = ("address", "category", "channel", "done", "result", "error")

    def __init__(self, address: str, category: str, channel: str) -> None:
        self.address, self.category, self.channel = address, category, channel
        self.done = threading.Event()
        self.result: tuple[Verdict, LoadedBuild, datetime] | None = None
        self.error: BaseException | None = None


class LookUps:
    """Single look-ups judged together: the look-ups that arrive while a query runs share the next.

    DuckDB plans the eligibility query anew each time (it caches no plan that reads tables): that
    planning, not the data, is most of a look-up's time, and one query for a hundred addresses
    costs little more than for one. Each batch is judged at the instant it starts, at or after
    every one of its requests arrived: a look-up never sees a state older than its request.
    """

    def __init__(self, engine: Eligibility, workers: int = 2) -> None:
        self._engine = engine
        self._waiting: list[_Pending] = []
        self._ready = threading.Condition()
        self._stopped = False
        self._workers = [threading.Thread(target=self._work, daemon=True) for _ in range(workers)]
        for worker in self._workers:
            worker.start()

    def judge(self, address: str, category: str, channel: str) -> tuple[Verdict, LoadedBuild, datetime]:
        pending = _Pending(address, category, channel)
        with self._ready:
            self._waiting.append(pending)
            self._ready.notify()
        pending.done.wait()
        if pending.error is not None:
            raise pending.error
        assert pending.result is not None
        return pending.result

    def _work(self) -> None:
        while True:
            with self._ready:
                while not self._waiting and not self._stopped:
                    self._ready.wait()
                if self._stopped:
                    return
                batch, self._waiting = self._waiting, []
            at = datetime.now(UTC)
            groups: dict[tuple[str, str], list[_Pending]] = {}
            for pending in batch:
                groups.setdefault((pending.category, pending.channel), []).append(pending)
            for (category, channel), members in groups.items():
                try:
                    addresses = list(dict.fromkeys(member.address for member in members))
                    verdicts, build = self._engine.judge(addresses, category, channel, at)
                    by_address = {verdict.email: verdict for verdict in verdicts}
                    for member in members:
                        member.result = (by_address[member.address], build, at)
                except BaseException as exc:  # noqa: BLE001 - the waiting requests answer it
                    for member in members:
                        member.error = exc
                for member in members:
                    member.done.set()

    def close(self) -> None:
        with self._ready:
            self._stopped = True
            self._ready.notify_all()
