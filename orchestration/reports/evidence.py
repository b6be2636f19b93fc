"""Evidence packs for an inspection (GDPR art. 5(2): the company proves every verdict).

One pack answers one question (a person, a send, a campaign) with one folder and a ``.zip`` of it:
``index.html`` (and ``sends-0001.html``... when the sends fill more than one page), ``facts.csv``,
``timeline.csv``, ``eligibility.csv`` and ``MANIFEST.sha256`` (docs/formats.md section 4.2). Every
fact comes with its chain of custody (intermediate.int_fact_sources): the landed file, its SHA-256
and load time from the load ledger, and the physical line of its row.

The pack's sends, their persons, their facts and violations are staged once in TEMP tables of a
read-only connection; the pages are then rendered a page of sends at a time and the CSVs are
DuckDB ``COPY``s, so a campaign of any size is written in bounded memory. Nothing is written
outside the pack: personal data appears only in the pack asked for.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from orchestration.config import load_policy
from orchestration.publish import NotPublishedError, latest_published
from orchestration.reports.audience import PERSONS_RELATION, compile_eligibility_sql, parse_as_of
from orchestration.reports.exports import export_query, safe_file_stem
from orchestration.reports.report_data import SEVERITY_RANK_SQL
from orchestration.reports.report_html import ENVIRONMENT, display
from orchestration.reports.trail import person_key_of
from orchestration.reports.warehouse import ReportError, connect_read_only, require_tables
from orchestration.warehouse import connect, table_exists

SENDS_PER_PAGE = 100
INDEX_FILE = "index.html"
FACTS_FILE = "facts.csv"
TIMELINE_FILE = "timeline.csv"
ELIGIBILITY_FILE = "eligibility.csv"
MANIFEST_FILE = "MANIFEST.sha256"
# Persons shown with their own section in index.html (a campaign's recipients are in the CSVs).
PERSON_SECTIONS_CAP = 10
# DuckDB's memory while staging a campaign; beyond it, it spills to the pack's scratch folder.
MEMORY_LIMIT = "1GB"

# What the pack reads; the published copy is read when it holds them all, else the warehouse.
EVIDENCE_RELATIONS = (
    "marts.sends_checked",
    "marts.violations",
    "marts.person_timeline",
    "marts.audience_eligibility",
    "intermediate.int_fact_sources",
    "intermediate.int_order_lines_informed",
    "intermediate.int_oppositions_unioned",
    "intermediate.int_consent_events_unioned",
    "staging.stg_reference__compliance_rules",
    "staging.stg_reference__privacy_notices",
)

# The columns of facts.csv, for the sends and the other facts alike.
FACT_COLUMNS = (
    "fact_type", "fact_ref", "source_system", "origin", "person_key", "email", "fact_at", "summary",
    "file_name", "kind", "format", "source_line", "content_sha256", "loaded_at", "load_id",
)  # fmt: skip

Row = dict[str, Any]

PERSONS_ELIGIBILITY = (
    "select * from marts.audience_eligibility where person_key in (select person_key from pack_persons)"
)


class EvidenceError(ReportError):
    """An evidence pack cannot be written; the message says why in one line."""


class UnknownSubjectError(EvidenceError):
    """The person, send or campaign asked about is not in the warehouse."""


@dataclass(frozen=True)
class Selector:
    """What the pack is about: ``email`` (a person), ``send`` or ``campaign``, and the value given.

    A send is its send_id; when several source systems share it the pack covers each of them, and
    ``source_system:send_id`` names one.
    """

    kind: str
    value: str

    @classmethod
    def of(cls, email: str | None = None, send: str | None = None, campaign: str | None = None) -> Selector:
        given = [
            (kind, value)
            for kind, value in (("email", email), ("send", send), ("campaign", campaign))
            if value
        ]
        if len(given) != 1:
            raise EvidenceError("name exactly one of --email, --send and --campaign")
        kind, value = given[0]
        value = value.strip().lower() if kind == "email" else value.strip()
        if not value:
            raise EvidenceError(f"--{kind} is empty")
        return cls(kind, value)

    @property
    def label(self) -> str:
        """For the folder's name: a person by a prefix of the pseudonymous key, never the address."""
        if self.kind == "email":
            return f"person-{person_key_of(self.value)[:12]}"
        try:
            return f"{self.kind}-{safe_file_stem(self.value)[:80]}"
        except ReportError:
            return f"{self.kind}-{hashlib.sha256(self.value.encode()).hexdigest()[:12]}"

    @property
    def title(self) -> str:
        return {"email": "Person", "send": "Send", "campaign": "Campaign"}[self.kind] + f" {self.value}"

    def sends_filter(self) -> tuple[str, list[Any]]:
        """The WHERE clause over marts.sends_checked, and its parameters."""
        if self.kind == "email":
            return "person_key = ?", [person_key_of(self.value)]
        if self.kind == "campaign":
            return "campaign_id = ?", [self.value]
        system, separator, send_id = self.value.partition(":")
        if not separator:
            return "send_id = ?", [self.value]
        # an id that itself holds a colon is matched whole too
        return "(send_id = ? or (source_system = ? and send_id = ?))", [
            self.value,
            system.strip().lower(),
            send_id,
        ]


@dataclass
class PackResult:
    folder: Path
    archive: Path
    sends: int
    facts: int
    pages: int
    source: str
    seconds: float = 0.0


@dataclass
class Pack:
    """What index.html shows; the sends come page by page (``pages``)."""

    selector: Selector
    generated_at: datetime
    source: str
    evaluated_at: datetime | None
    as_of_given: bool
    window_months: int | None
    summary: Row
    rules: list[Row]
    violations_by_rule: list[Row]
    persons: list[Row]
    pages: list[Row]


# --- reading ----------------------------------------------------------------------------------


def _has_relations(connection: duckdb.DuckDBPyConnection) -> bool:
    return all(table_exists(connection, *name.split(".", 1)) for name in EVIDENCE_RELATIONS)


def open_source(warehouse: Path) -> tuple[duckdb.DuckDBPyConnection, str]:
    """A read-only connection and what it reads: the latest published copy when it holds every
    relation the pack reads (a reader of it never holds off a run), else the warehouse itself."""
    try:
        database, manifest = latest_published(warehouse)
    except NotPublishedError:
        database = None
    if database is not None:
        connection = connect(database, read_only=True)
        if _has_relations(connection):
            return connection, f"published copy of {Path(warehouse).name}, build {manifest['build_id']}"
        connection.close()
    connection = connect_read_only(warehouse)
    try:
        require_tables(connection, *EVIDENCE_RELATIONS)
    except ReportError:
        connection.close()
        raise
    return connection, f"warehouse {Path(warehouse).name}"


def _rows(connection: duckdb.DuckDBPyConnection, sql: str, parameters: list[Any] | None = None) -> list[Row]:
    cursor = connection.execute(sql, parameters or [])
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def _window_months(policy: dict[str, Any]) -> int | None:
    value = policy.get("authorization_window_months")
    return None if value in (None, "") else int(value)


def _stage(connection: duckdb.DuckDBPyConnection, selector: Selector, window_months: int | None) -> None:
    """The pack's TEMP tables: pack_sends (with each send's custody and its window's cut-off),
    pack_persons, pack_facts (every other fact of those persons, with its custody and detail) and
    pack_violations."""
    where, parameters = selector.sends_filter()
    cutoff = (
        f"timezone('UTC', timezone('UTC', sends.sent_at) - to_months({int(window_months)}))"
        if window_months is not None
        else "cast(null as timestamptz)"
    )
    connection.execute(
        f"""
        create temp table pack_sends as
        select
            row_number() over (order by sends.sent_at, sends.source_system, sends.send_id) as position,
            sends.send_id, sends.source_system, sends.person_key, sends.email, sends.campaign_id,
            sends.channel, sends.legal_basis, sends.promoted_category, sends.sent_at,
            sends.is_compliant, sends.violation_count, sends.lawful_basis_ref,
            sends.has_opt_out_link, sends.controller,
            case when sends.legal_basis = 'soft_spam' and sends.channel = 'email' then {cutoff} end
                as window_cutoff_at,
            custody.file_name, custody.kind, custody.format, custody.source_line,
            custody.content_sha256, custody.loaded_at, custody.load_id
        from (select * from marts.sends_checked where {where}) as sends
        left join (
            select * from intermediate.int_fact_sources where fact_type = 'send'
        ) as custody
            on custody.source_system is not distinct from sends.source_system
            and custody.fact_ref = sends.send_id
        """,  # noqa: S608
        parameters,
    )
    if selector.kind == "email":
        connection.execute(
            "create temp table pack_persons as select ? as person_key, ? as email",
            [person_key_of(selector.value), selector.value],
        )
    else:
        connection.execute(
            "create temp table pack_persons as select person_key, min(email) as email "
            "from pack_sends where person_key is not null group by person_key"
        )
    connection.execute(
        """
        create temp table pack_facts as
        select
            facts.fact_type, facts.fact_ref, facts.source_system, facts.origin, facts.person_key,
            coalesce(sales.email, objections.email, consents.email) as email,
            facts.fact_at,
            case facts.fact_type
                when 'sale_line' then concat(
                    'order ', sales.order_id, ' line ', sales.line_id, ': category ',
                    coalesce(sales.product_category, 'unknown'),
                    case when sales.is_paid then ', paid' else ', unpaid' end, ', ', sales.status,
                    ', controller ', sales.controller, '; privacy notice ',
                    coalesce(sales.resolved_notice_version, 'none in force'),
                    case
                        when sales.resolved_notice_version is null then ' (not informed)'
                        when notices.privacy_notice_version is null
                            then ' (not in the reference data: not informed)'
                        when notices.has_soft_spam_clause then ' with the soft-spam clause'
                        else ' without the soft-spam clause'
                    end,
                    case
                        when sales.is_refused_at_collection then '; refused promotional e-mail at checkout'
                    end)
                when 'opposition' then concat(
                    'objection, scope ', objections.scope, ', made via ',
                    coalesce(objections.request_channel, 'an unknown channel'), ' in ', facts.source_system,
                    ' (', facts.origin, ')')
                else concat(
                    'consent ', coalesce(consents.status, 'of unknown status'), ' for channel ',
                    coalesce(consents.channel, 'unknown'), ', evidence: ',
                    coalesce(consents.evidence_ref, 'none'))
            end as summary,
            facts.file_name, facts.kind, facts.format, facts.source_line, facts.content_sha256,
            facts.loaded_at, facts.load_id,
            sales.order_id, sales.line_id, sales.product_category, sales.is_paid, sales.status as sale_status,
            sales.controller, sales.is_qualifying, sales.resolved_notice_version as notice_version,
            notices.has_soft_spam_clause as notice_has_clause,
            notices.effective_from_at as notice_effective_from, sales.is_informed,
            sales.is_refused_at_collection,
            objections.scope, objections.request_channel,
            consents.channel as consent_channel, consents.status as consent_status,
            consents.evidence_ref as consent_evidence
        from (
            select * from intermediate.int_fact_sources
            where fact_type <> 'send' and person_key in (select person_key from pack_persons)
        ) as facts
        left join intermediate.int_order_lines_informed as sales
            on facts.fact_type = 'sale_line' and sales.order_line_id = facts.fact_ref
        left join staging.stg_reference__privacy_notices as notices
            on lower(notices.privacy_notice_version) = lower(sales.resolved_notice_version)
        left join intermediate.int_oppositions_unioned as objections
            on facts.fact_type = 'opposition'
            and objections.origin = facts.origin
            and objections.source_system is not distinct from facts.source_system
            and objections.opposition_id = facts.fact_ref
        left join intermediate.int_consent_events_unioned as consents
            on facts.fact_type = 'consent_event'
            and consents.source_system is not distinct from facts.source_system
            and consents.consent_id = facts.fact_ref
        """
    )
    connection.execute(
        """
        create temp table pack_violations as
        select sends.position, violations.rule_code, violations.severity, violations.evidence,
               violations.evidence_ref
        from marts.violations as violations
        inner join pack_sends as sends
            on violations.send_id = sends.send_id
            and violations.source_system is not distinct from sends.source_system
        """
    )


def _check_known(connection: duckdb.DuckDBPyConnection, selector: Selector) -> tuple[int, int]:
    sends, facts = connection.execute(
        "select (select count(*) from pack_sends), (select count(*) from pack_facts)"
    ).fetchone()
    if sends == 0 and (selector.kind != "email" or facts == 0):
        what = {
            "email": f"no fact of the person {selector.value} (person_key {person_key_of(selector.value)})",
            "send": f"no send with id {selector.value!r}",
            "campaign": f"no send of campaign {selector.value!r}",
        }[selector.kind]
        raise UnknownSubjectError(f"{what} in the warehouse")
    return sends, facts


def _rules(connection: duckdb.DuckDBPyConnection) -> list[Row]:
    """Every rule the run judged by, in the registry's order (the soft-spam chain last, in order)."""
    return _rows(
        connection,
        "select rule_code, severity, legal_reference, description, is_chain_step, evidence_fact "
        "from staging.stg_reference__compliance_rules order by rule_order, rule_code",
    )


def _summary(connection: duckdb.DuckDBPyConnection) -> tuple[Row, list[Row]]:
    summary = _rows(
        connection,
        """
        select count(*) as sends, count(distinct person_key) as persons,
               count(*) filter (where is_compliant) as compliant_sends,
               count(*) filter (where not is_compliant) as non_compliant_sends,
               coalesce(sum(violation_count), 0) as violations,
               count(distinct campaign_id) as campaigns,
               min(sent_at) as first_sent_at, max(sent_at) as last_sent_at
        from pack_sends
        """,
    )[0]
    by_rule = _rows(
        connection,
        f"""
        select * from (
            select violations.rule_code, any_value(violations.severity) as severity,
                   count(*) as violations, any_value(rules.legal_reference) as legal_reference,
                   any_value(rules.description) as description
            from pack_violations as violations
            left join staging.stg_reference__compliance_rules as rules
                on violations.rule_code = rules.rule_code
            group by violations.rule_code
        ) as counted
        order by {SEVERITY_RANK_SQL}, violations desc, rule_code
        """,  # noqa: S608
    )
    return summary, by_rule


def _persons(connection: duckdb.DuckDBPyConnection, eligibility: list[Row]) -> list[Row]:
    """The persons shown in index.html, each with its facts by kind and its eligibility."""
    persons = _rows(connection, "select person_key, email from pack_persons order by email, person_key")
    if len(persons) > PERSON_SECTIONS_CAP:
        return []
    facts = _rows(connection, "select * from pack_facts order by fact_at, fact_type, source_system, fact_ref")
    sends = _rows(connection, "select person_key, count(*) as sends from pack_sends group by person_key")
    sends_by_person = {row["person_key"]: row["sends"] for row in sends}
    for person in persons:
        own = [fact for fact in facts if fact["person_key"] == person["person_key"]]
        person["sale_lines"] = [fact for fact in own if fact["fact_type"] == "sale_line"]
        person["objections"] = [fact for fact in own if fact["fact_type"] == "opposition"]
        person["consent_events"] = [fact for fact in own if fact["fact_type"] == "consent_event"]
        person["sends"] = sends_by_person.get(person["person_key"], 0)
        person["eligibility"] = [row for row in eligibility if row["person_key"] == person["person_key"]]
    return persons


# --- one send's evidence ----------------------------------------------------------------------


def _not_applicable(rule: Row, send: Row) -> str | None:
    """Why a rule does not judge this send (docs/rules.md sections 3.3 to 3.8), or None."""
    basis, channel = send["legal_basis"], send["channel"]
    if rule["rule_code"] == "NON_EMAIL_CHANNEL" and basis != "soft_spam":
        return "applies to sends that claim soft spam"
    if rule["rule_code"] == "CONSENT_MISSING" and basis != "consent":
        return "applies to sends that claim consent"
    if rule["is_chain_step"] and not (basis == "soft_spam" and channel == "email"):
        return "the soft-spam chain applies to soft-spam e-mail"
    return None


def _fact_key(fact: Row) -> tuple[Any, ...]:
    return (fact["fact_type"], fact["source_system"], fact["fact_ref"], fact["origin"])


def send_evidence(send: Row, violations: list[Row], facts: list[Row], rules: list[Row]) -> Row:
    """One send's verdict per rule, its lawful basis and the facts that decided it.

    ``facts``: its person's facts at or before the send (pack_facts rows)."""
    quoted: dict[tuple[Any, ...], list[str]] = {}

    def named(fact_type: str | None, reference: str | None, by: str) -> list[Row]:
        found = [fact for fact in facts if fact["fact_type"] == fact_type and fact["fact_ref"] == reference]
        for fact in found:
            quoted.setdefault(_fact_key(fact), []).append(by)
        return found

    broken = {violation["rule_code"]: violation for violation in violations}
    chain_failed = False
    verdicts = []
    for rule in rules:
        code = rule["rule_code"]
        verdict = {**rule, "evidence": None, "facts": []}
        if code in broken:
            verdict["outcome"] = "broken"
            verdict["evidence"] = broken[code]["evidence"]
            verdict["facts"] = named(rule["evidence_fact"], broken[code]["evidence_ref"], code)
        elif reason := _not_applicable(rule, send):
            verdict["outcome"], verdict["evidence"] = "not applicable", reason
        elif rule["is_chain_step"] and chain_failed:
            verdict["outcome"] = "not reached"
            verdict["evidence"] = "the chain reports only its first failing step"
        else:
            verdict["outcome"] = "complied"
        chain_failed = chain_failed or (rule["is_chain_step"] and code in broken)
        verdicts.append(verdict)

    lawful_type = "consent_event" if send["legal_basis"] == "consent" else "sale_line"
    lawful = named(lawful_type, send["lawful_basis_ref"], "lawful basis") if send["lawful_basis_ref"] else []

    relevant = [fact for fact in facts if fact["fact_type"] == "opposition"]
    if send["legal_basis"] == "consent":
        relevant += [
            fact
            for fact in facts
            if fact["fact_type"] == "consent_event" and fact["consent_channel"] in (send["channel"], "all")
        ]
    if send["legal_basis"] == "soft_spam":
        relevant += [fact for fact in facts if fact["fact_type"] == "sale_line"]
    shown: dict[tuple[Any, ...], Row] = {}
    for fact in [*lawful, *(f for v in verdicts for f in v["facts"]), *relevant]:
        shown.setdefault(_fact_key(fact), fact)
    decided_by = sorted(
        shown.values(), key=lambda fact: (fact["fact_at"], fact["fact_type"], fact["fact_ref"])
    )
    return {
        "send": send,
        "verdicts": verdicts,
        "lawful_basis": lawful,
        "facts": [{**fact, "quoted_by": quoted.get(_fact_key(fact), [])} for fact in decided_by],
    }


def _page_evidence(
    connection: duckdb.DuckDBPyConnection, first: int, last: int, rules: list[Row]
) -> list[Row]:
    sends = _rows(
        connection, "select * from pack_sends where position between ? and ? order by position", [first, last]
    )
    violations = _rows(
        connection,
        "select * from pack_violations where position between ? and ? order by position",
        [first, last],
    )
    facts = _rows(
        connection,
        """
        select * from pack_facts
        where person_key in (select person_key from pack_sends where position between ? and ?)
          and fact_at <= (select max(sent_at) from pack_sends where position between ? and ?)
        order by fact_at, fact_type, source_system, fact_ref
        """,
        [first, last, first, last],
    )
    by_position: dict[int, list[Row]] = {}
    for violation in violations:
        by_position.setdefault(violation["position"], []).append(violation)
    by_person: dict[str, list[Row]] = {}
    for fact in facts:
        by_person.setdefault(fact["person_key"], []).append(fact)
    return [
        send_evidence(
            send,
            by_position.get(send["position"], []),
            [fact for fact in by_person.get(send["person_key"], []) if fact["fact_at"] <= send["sent_at"]],
            rules,
        )
        for send in sends
    ]


# --- writing ----------------------------------------------------------------------------------


def page_name(number: int) -> str:
    return f"sends-{number:04d}.html"


def _page_ranges(sends: int, per_page: int) -> list[tuple[int, int, int]]:
    """(page number, first position, last position); one page when the sends fit on index.html."""
    return [
        (index + 1, start + 1, min(start + per_page, sends))
        for index, start in enumerate(range(0, sends, per_page))
    ]


def _pages(
    connection: duckdb.DuckDBPyConnection, ranges: list[tuple[int, int, int]], paginated: bool
) -> list[Row]:
    pages = []
    for number, first, last in ranges:
        row = _rows(
            connection,
            "select min(sent_at) as first_sent_at, max(sent_at) as last_sent_at, "
            "count(*) filter (where not is_compliant) as non_compliant_sends "
            "from pack_sends where position between ? and ?",
            [first, last],
        )[0]
        row.update(number=number, first=first, last=last, file=page_name(number) if paginated else None)
        pages.append(row)
    return pages


def _write_csvs(connection: duckdb.DuckDBPyConnection, folder: Path, eligibility_sql: str | None) -> None:
    send_facts = """
        select 'send' as fact_type, send_id as fact_ref, source_system, cast(null as varchar) as origin,
               person_key, email, sent_at as fact_at,
               concat('campaign ', coalesce(campaign_id, 'unknown'), ' on ', coalesce(channel, 'no channel'),
                      ' about ', coalesce(promoted_category, 'unknown'),
                      ', basis ', coalesce(legal_basis, 'none'),
                      case when is_compliant then ', compliant'
                           else concat(', ', violation_count, ' violation(s)') end) as summary,
               file_name, kind, format, source_line, content_sha256, loaded_at, load_id
        from pack_sends
    """
    columns = ", ".join(FACT_COLUMNS)
    export_query(
        connection,
        f"{send_facts} union all select {columns} from pack_facts",  # noqa: S608
        folder / FACTS_FILE,
        "person_key, fact_at, fact_type, source_system, fact_ref",
    )
    export_query(
        connection,
        "select * from marts.person_timeline where person_key in (select person_key from pack_persons)",
        folder / TIMELINE_FILE,
        "person_key, event_at, event_type, source_system, source_ref",
    )
    export_query(
        connection, eligibility_sql or PERSONS_ELIGIBILITY, folder / ELIGIBILITY_FILE,
        "person_key, channel, product_category",
    )  # fmt: skip


def _eligibility_rows(connection: duckdb.DuckDBPyConnection, eligibility_sql: str | None) -> list[Row]:
    """The persons' eligibility for index.html (only the persons shown: few)."""
    persons = connection.execute("select count(*) from pack_persons").fetchone()[0]
    if persons > PERSON_SECTIONS_CAP:
        return []
    sql = eligibility_sql or PERSONS_ELIGIBILITY
    return _rows(connection, f"select * from ({sql}) as eligibility order by channel, product_category")  # noqa: S608


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_manifest(folder: Path) -> Path:
    """``sha256sum`` lines over every other file of the pack: ``sha256sum -c MANIFEST.sha256``."""
    files = sorted(path for path in folder.rglob("*") if path.is_file() and path.name != MANIFEST_FILE)
    lines = [f"{file_sha256(path)}  {path.relative_to(folder).as_posix()}\n" for path in files]
    target = folder / MANIFEST_FILE
    target.write_text("".join(lines), encoding="utf-8")
    return target


def _zip(folder: Path, archive: Path) -> Path:
    temporary = archive.with_name(f".{archive.name}.{os.getpid()}.tmp")
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                bundle.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
    os.replace(temporary, archive)
    return archive


def _free_name(out: Path, stem: str) -> str:
    name, counter = stem, 1
    while (out / name).exists() or (out / f"{name}.zip").exists():
        counter += 1
        name = f"{stem}-{counter}"
    return name


def format_second(value: datetime | None) -> str:
    """An instant in UTC to the second: a send one second before an objection is lawful."""
    if value is None:
        return "—"
    return (value.astimezone(UTC) if value.tzinfo else value).strftime("%Y-%m-%d %H:%M:%S")


# The report's environment (its escaping, filters and layout), with every time to the second.
PACK_ENVIRONMENT = ENVIRONMENT.overlay(
    finalize=lambda value: display(format_second(value) if isinstance(value, datetime) else value)
)
PACK_ENVIRONMENT.filters = {**ENVIRONMENT.filters, "format_time": format_second}


def _render(template: str, **context: Any) -> str:
    return PACK_ENVIRONMENT.get_template(f"evidence/{template}").render(**context)


def _iter_pages(
    connection: duckdb.DuckDBPyConnection, ranges: list[tuple[int, int, int]], rules: list[Row]
) -> Iterator[tuple[int, list[Row]]]:
    for number, first, last in ranges:
        yield number, _page_evidence(connection, first, last, rules)


def build_pack(
    warehouse: Path,
    selector: Selector,
    out: Path,
    as_of: str | None = None,
    sends_per_page: int = SENDS_PER_PAGE,
    generated_at: datetime | None = None,
) -> PackResult:
    """Write ``<out>/evidence-<selector>-<UTC time>/`` and its ``.zip``; return where and what."""
    started = time.monotonic()
    generated_at = generated_at or datetime.now(UTC)
    policy = load_policy(os.environ.get("SOFTSPAM_POLICY"))
    window_months = _window_months(policy)
    evaluated_at = parse_as_of(as_of, policy["timezone"]) if as_of else None
    # compiled before any connection is open (check-audience's reasons)
    eligibility_sql = compile_eligibility_sql(Path(warehouse), evaluated_at) if evaluated_at else None
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".evidence-", dir=out))
    try:
        connection, source = open_source(Path(warehouse))
        try:
            connection.execute(f"set memory_limit = '{MEMORY_LIMIT}'")
            connection.execute("set temp_directory = ?", [str(scratch / "spill")])
            _stage(connection, selector, window_months)
            sends, facts = _check_known(connection, selector)
            if eligibility_sql is not None:
                # the relation the compiled eligibility query reads
                connection.execute(f"create temp table {PERSONS_RELATION} as select * from pack_persons")  # noqa: S608
            result = _write_pack(
                connection, scratch / "pack", selector, source, generated_at, evaluated_at,
                window_months, eligibility_sql, sends_per_page,
            )  # fmt: skip
        finally:
            connection.close()
        name = _free_name(out, f"evidence-{selector.label}-{generated_at.strftime('%Y%m%dT%H%M%SZ')}")
        folder = out / name
        os.replace(scratch / "pack", folder)
        archive = _zip(folder, out / f"{name}.zip")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return PackResult(folder, archive, sends, facts, result, source, round(time.monotonic() - started, 2))


def _write_pack(
    connection: duckdb.DuckDBPyConnection,
    folder: Path,
    selector: Selector,
    source: str,
    generated_at: datetime,
    evaluated_at: datetime | None,
    window_months: int | None,
    eligibility_sql: str | None,
    sends_per_page: int,
) -> int:
    """Every file of the pack into ``folder``; returns the number of send pages written."""
    folder.mkdir()
    rules = _rules(connection)
    summary, by_rule = _summary(connection)
    eligibility = _eligibility_rows(connection, eligibility_sql)
    if evaluated_at is None:
        evaluated_at = connection.execute(
            "select max(evaluated_at) from marts.audience_eligibility "
            "where person_key in (select person_key from pack_persons)"
        ).fetchone()[0]
    ranges = _page_ranges(summary["sends"], sends_per_page)
    paginated = len(ranges) > 1
    pack = Pack(
        selector=selector,
        generated_at=generated_at,
        source=source,
        evaluated_at=evaluated_at,
        as_of_given=eligibility_sql is not None,
        window_months=window_months,
        summary=summary,
        rules=rules,
        violations_by_rule=by_rule,
        persons=_persons(connection, eligibility),
        pages=_pages(connection, ranges, paginated),
    )
    pages = _iter_pages(connection, ranges, rules)
    inline = [] if paginated else next(pages, (1, []))[1]
    (folder / INDEX_FILE).write_text(_render("index.html.j2", pack=pack, sends=inline), encoding="utf-8")
    if paginated:
        for number, evidence in pages:
            (folder / page_name(number)).write_text(
                _render("sends.html.j2", pack=pack, page=pack.pages[number - 1], sends=evidence),
                encoding="utf-8",
            )
    _write_csvs(connection, folder, eligibility_sql)
    write_manifest(folder)
    return len(ranges) if paginated else 0
