"""The report's figures, each one aggregate query: the report stays small and fast at 10M sends.

Optional sources (the staging models of the compliance rules and applications, raw.quarantine,
marts.data_quality_findings) enrich the report when present; without them the report still
renders and says what it lacks. Reference data is read from staging, never from the seeds: staging
holds what the run used (the company's landing/reference overrides, else the seeds).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb

from orchestration.reports.run_checks import RunChecks
from orchestration.reports.warehouse import require_tables
from orchestration.warehouse import table_exists

RULES_MODEL = ("staging", "stg_reference__compliance_rules")
APPLICATIONS_MODEL = ("staging", "stg_reference__applications")
FINDINGS_MART = ("marts", "data_quality_findings")
PROPAGATION_MART = ("marts", "propagation")
SNAPSHOTS_MODEL = ("staging", "stg_landing__suppression_snapshots")
FINDING_EXAMPLES = 3
DETAIL_ROW_CAP = 2000
TREND_WEEK_CAP = 156  # three years of ISO weeks; older weeks are summarised in the headline only
TOP_CAMPAIGNS = 10

SEVERITIES = ("critical", "high", "warning")
SEVERITY_RANK_SQL = (
    "case lower(severity) when 'critical' then 0 when 'high' then 1 when 'warning' then 2 else 3 end"
)

Row = dict[str, Any]


@dataclass
class ReportData:
    generated_at: datetime
    warehouse_name: str
    headline: Row
    violations_by_severity: dict[str, int]
    rules: list[Row]
    rules_reference_present: bool
    weeks: list[Row]
    weeks_total: int
    campaigns: list[Row]
    applications: list[Row]
    alignment: list[Row]
    load_totals: Row
    loads_by_kind: list[Row]
    problem_files: list[Row]
    quarantine_reasons: list[Row] | None  # None: raw.quarantine is not in the warehouse
    findings: list[Row] | None  # None: marts.data_quality_findings is not in the warehouse
    detail: list[Row]
    violations_total: int
    notes: list[str] = field(default_factory=list)
    checks: RunChecks | None = None  # None: written outside a pipeline run
    propagation: list[Row] | None = None  # None: marts.propagation is not in the warehouse

    @property
    def findings_total(self) -> int:
        return sum(row["findings"] for row in self.findings or [])


def _rows(connection: duckdb.DuckDBPyConnection, sql: str) -> list[Row]:
    cursor = connection.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def _headline(connection: duckdb.DuckDBPyConnection) -> Row:
    sends = _rows(
        connection,
        """
        select count(*) as sends,
               count(*) filter (where coalesce(is_compliant, false)) as compliant_sends,
               min(sent_at) as first_sent_at, max(sent_at) as last_sent_at
        from marts.sends_checked
        """,
    )[0]
    violations = _rows(
        connection,
        """
        select count(*) as violations, count(distinct person_key) as persons_affected
        from marts.violations
        """,
    )[0]
    gaps = _rows(connection, "select count(*) as alignment_gaps from marts.alignment_gaps")[0]
    return {**sends, **violations, **gaps}


def _violations_by_severity(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = connection.execute(
        "select lower(severity), count(*) from marts.violations group by 1 order by 1"
    ).fetchall()
    return {str(severity): count for severity, count in rows}


def _rules(connection: duckdb.DuckDBPyConnection, with_reference: bool) -> list[Row]:
    counts = """
        select rule_code, any_value(severity) as severity, count(*) as violations,
               count(distinct person_key) as persons, max(sent_at) as latest_sent_at
        from marts.violations group by rule_code
    """
    if not with_reference:
        return _rows(
            connection,
            f"select *, null as legal_reference, null as description from ({counts}) "  # noqa: S608
            f"order by {SEVERITY_RANK_SQL}, violations desc, rule_code",
        )
    # Full outer join: a rule that never fired is worth seeing at zero.
    return _rows(
        connection,
        f"""
        select coalesce(c.rule_code, r.rule_code) as rule_code,
               coalesce(r.severity, c.severity) as severity,
               coalesce(c.violations, 0) as violations, c.persons, c.latest_sent_at,
               r.legal_reference, r.description
        from ({counts}) c full outer join {".".join(RULES_MODEL)} r on c.rule_code = r.rule_code
        order by case lower(coalesce(r.severity, c.severity)) when 'critical' then 0 when 'high' then 1
                 when 'warning' then 2 else 3 end, violations desc, rule_code
        """,  # noqa: S608
    )


def _weeks(connection: duckdb.DuckDBPyConnection) -> tuple[list[Row], int]:
    weeks = _rows(
        connection,
        f"""
        with sends as (
            select date_trunc('week', sent_at) as week_start, count(*) as sends,
                   count(*) filter (where not coalesce(is_compliant, false)) as non_compliant_sends
            from marts.sends_checked where sent_at is not null group by 1
        ), violations as (
            select date_trunc('week', sent_at) as week_start,
                   count(*) filter (where lower(severity) = 'critical') as critical,
                   count(*) filter (where lower(severity) = 'high') as high,
                   count(*) filter (where lower(severity) = 'warning') as warning
            from marts.violations where sent_at is not null group by 1
        )
        select strftime(s.week_start, '%G-W%V') as iso_week, s.week_start, s.sends, s.non_compliant_sends,
               coalesce(v.critical, 0) as critical, coalesce(v.high, 0) as high,
               coalesce(v.warning, 0) as warning
        from sends s left join violations v using (week_start)
        order by s.week_start desc limit {TREND_WEEK_CAP}
        """,  # noqa: S608
    )
    total = connection.execute(
        "select count(distinct date_trunc('week', sent_at)) from marts.sends_checked "
        "where sent_at is not null"
    ).fetchone()[0]
    return list(reversed(weeks)), total


def _campaigns(connection: duckdb.DuckDBPyConnection) -> list[Row]:
    return _rows(
        connection,
        f"""
        with sends as (
            select campaign_id,
                   string_agg(distinct source_system, ', ' order by source_system) as applications,
                   count(*) as sends,
                   count(*) filter (where not coalesce(is_compliant, false)) as non_compliant_sends,
                   min(sent_at) as first_sent_at, max(sent_at) as last_sent_at
            from marts.sends_checked group by campaign_id
        ), severities as (
            select campaign_id, count(*) as violations,
                   count(*) filter (where lower(severity) = 'critical') as critical
            from marts.violations group by campaign_id
        )
        select s.*, coalesce(v.violations, 0) as violations, coalesce(v.critical, 0) as critical
        from sends s left join severities v on s.campaign_id is not distinct from v.campaign_id
        where s.non_compliant_sends > 0
        order by critical desc, s.non_compliant_sends desc, violations desc, s.campaign_id
        limit {TOP_CAMPAIGNS}
        """,  # noqa: S608
    )


def _applications(connection: duckdb.DuckDBPyConnection) -> list[Row]:
    return _rows(
        connection,
        """
        with sends as (
            select source_system, count(*) as sends,
                   count(*) filter (where not coalesce(is_compliant, false)) as non_compliant_sends
            from marts.sends_checked group by source_system
        ), severities as (
            select source_system, count(*) as violations,
                   count(*) filter (where lower(severity) = 'critical') as critical,
                   count(*) filter (where lower(severity) = 'high') as high,
                   count(*) filter (where lower(severity) = 'warning') as warning
            from marts.violations group by source_system
        )
        select s.*, coalesce(v.violations, 0) as violations, coalesce(v.critical, 0) as critical,
               coalesce(v.high, 0) as high, coalesce(v.warning, 0) as warning
        from sends s left join severities v on s.source_system is not distinct from v.source_system
        order by s.non_compliant_sends * 1.0 / nullif(s.sends, 0) desc nulls last, s.sends desc,
                 s.source_system
        """,
    )


def _alignment(connection: duckdb.DuckDBPyConnection) -> list[Row]:
    gaps = """
        select application, count(*) as gaps, max(hours_overdue) as max_hours_overdue,
               min(opposed_at) as oldest_opposed_at, max(snapshot_taken_at) as snapshot_taken_at
        from marts.alignment_gaps group by application
    """
    if not table_exists(connection, *APPLICATIONS_MODEL):
        return _rows(
            connection,
            f"select *, null as channel, null as sla_hours from ({gaps}) order by gaps desc",  # noqa: S608
        )
    # Applications with no gap are listed too: "0 gaps" is the statement compliance wants to see.
    return _rows(
        connection,
        f"""
        with marketing as (
            select application, channel, sla_hours from {".".join(APPLICATIONS_MODEL)}
            where is_sending_marketing
        )
        select coalesce(g.application, m.application) as application, m.channel, m.sla_hours,
               coalesce(g.gaps, 0) as gaps, g.max_hours_overdue, g.oldest_opposed_at, g.snapshot_taken_at
        from ({gaps}) g full outer join marketing m on g.application = m.application
        order by gaps desc, application
        """,  # noqa: S608
    )


def propagation_by_application(connection: duckdb.DuckDBPyConnection) -> list[Row] | None:
    """How fast each sending application honours the objections it owes (marts.propagation).

    Per application: the owed objections, the median and 95th percentile of hours_to_propagate
    over the propagated ones, the share within the SLA of those already judged (is_within_sla not
    NULL: an objection not yet due at the latest snapshot is not judged), the objections never
    propagated, and under ``snapshots`` the trend: per snapshot time, the objections owed by then,
    how many of them the application had shown by then (and their share), and how many were late
    by then (due, not shown by their deadline). None when the warehouse has no marts.propagation.
    """
    if not table_exists(connection, *PROPAGATION_MART):
        return None
    applications = (
        f"select application from {'.'.join(APPLICATIONS_MODEL)} where is_sending_marketing"  # noqa: S608
        if table_exists(connection, *APPLICATIONS_MODEL)
        else "select distinct application from marts.propagation"
    )
    # Without the staging model only the snapshots the mart names are known (a snapshot that
    # showed nobody new is missed).
    snapshot_times = (
        f"select distinct application, snapshot_taken_at from {'.'.join(SNAPSHOTS_MODEL)}"  # noqa: S608
        if table_exists(connection, *SNAPSHOTS_MODEL)
        else "select application, first_seen_at as snapshot_taken_at from marts.propagation "
        "union select application, latest_snapshot_taken_at from marts.propagation"
    )
    summary = _rows(
        connection,
        f"""
        with stats as (
            select application, any_value(sla_hours) as sla_hours, count(*) as owed,
                   count(first_seen_at) as propagated,
                   count(*) filter (where first_seen_at is null) as never_propagated,
                   quantile_cont(hours_to_propagate, 0.5) as median_hours,
                   quantile_cont(hours_to_propagate, 0.95) as p95_hours,
                   count(is_within_sla) as judged,
                   count(*) filter (where is_within_sla) as within_sla
            from marts.propagation group by application
        )
        select a.application, s.sla_hours, coalesce(s.owed, 0) as owed,
               coalesce(s.propagated, 0) as propagated,
               coalesce(s.never_propagated, 0) as never_propagated, s.median_hours, s.p95_hours,
               coalesce(s.judged, 0) as judged, coalesce(s.within_sla, 0) as within_sla,
               s.within_sla::double / nullif(s.judged, 0) as share_within_sla
        from ({applications}) a left join stats s on a.application = s.application
        order by a.application
        """,  # noqa: S608
    )
    trend = _rows(
        connection,
        f"""
        select t.application, t.snapshot_taken_at, count(p.opposition_id) as owed,
               count(*) filter (where p.first_seen_at <= t.snapshot_taken_at) as propagated,
               (count(*) filter (where p.first_seen_at <= t.snapshot_taken_at))::double
                   / nullif(count(p.opposition_id), 0) as share_propagated,
               count(*) filter (
                   where p.due_at <= t.snapshot_taken_at and not coalesce(p.first_seen_at <= p.due_at, false)
               ) as late
        from ({snapshot_times}) t
        left join marts.propagation p
            on t.application = p.application and p.opposed_at <= t.snapshot_taken_at
        where t.snapshot_taken_at is not null
        group by t.application, t.snapshot_taken_at
        order by t.application, t.snapshot_taken_at
        """,  # noqa: S608
    )
    for row in summary:
        row["snapshots"] = [
            {key: value for key, value in point.items() if key != "application"}
            for point in trend
            if point["application"] == row["application"]
        ]
    return summary


def _loads(connection: duckdb.DuckDBPyConnection) -> tuple[Row, list[Row], list[Row]]:
    totals = _rows(
        connection,
        """
        select count(*) as files, coalesce(sum(rows_read), 0) as rows_read,
               coalesce(sum(rows_loaded), 0) as rows_loaded,
               coalesce(sum(rows_quarantined), 0) as rows_quarantined,
               count(*) filter (where status = 'quarantined') as files_quarantined,
               max(loaded_at) as last_loaded_at
        from marts.load_audit
        """,
    )[0]
    by_kind = _rows(
        connection,
        """
        select kind, count(*) as files, sum(rows_read) as rows_read, sum(rows_loaded) as rows_loaded,
               sum(rows_quarantined) as rows_quarantined,
               count(*) filter (where status = 'quarantined') as files_quarantined,
               max(loaded_at) as last_loaded_at
        from marts.load_audit group by kind order by kind
        """,
    )
    problem_files = _rows(
        connection,
        """
        select file_name, kind, format, status, rows_read, rows_quarantined, loaded_at
        from marts.load_audit where status <> 'loaded' or rows_quarantined > 0
        order by status = 'quarantined' desc, rows_quarantined desc, file_name limit 50
        """,
    )
    return totals, by_kind, problem_files


def _quarantine_reasons(connection: duckdb.DuckDBPyConnection) -> list[Row] | None:
    """Rows and files per reason. A file quarantined whole has one raw.quarantine row (no line):
    it counts every row read from it, as marts.load_audit does."""
    if not table_exists(connection, "raw", "quarantine"):
        return None
    return _rows(
        connection,
        """
        with whole_files as (
            select load_id, max(rows_read) as rows_read from marts.load_audit
            where status = 'quarantined' group by load_id
        )
        select q.kind, q.reason,
               sum(case when q.line_number is null then coalesce(w.rows_read, 0) else 1 end) as rows,
               count(distinct q.file_name) as files,
               count(distinct q.file_name) filter (where q.line_number is null) as files_whole
        from raw.quarantine q left join whole_files w on q.line_number is null and q.load_id = w.load_id
        group by q.kind, q.reason order by rows desc, files desc, q.kind, q.reason limit 25
        """,
    )


def _findings(connection: duckdb.DuckDBPyConnection) -> list[Row] | None:
    """Every finding type the mart holds (never a fixed list), with a few examples each."""
    if not table_exists(connection, *FINDINGS_MART):
        return None
    findings = ".".join(FINDINGS_MART)
    counts = _rows(
        connection,
        f"""
        select finding_type, kind, count(*) as findings,
               string_agg(distinct source_system, ', ' order by source_system) as source_systems
        from {findings} group by finding_type, kind
        order by findings desc, finding_type, kind
        """,  # noqa: S608
    )
    examples = _rows(
        connection,
        f"""
        select finding_type, kind, source_system, record_ref, detail from {findings}
        qualify row_number() over (
            partition by finding_type, kind order by source_system, record_ref, detail
        ) <= {FINDING_EXAMPLES}
        order by finding_type, kind, source_system, record_ref, detail
        """,  # noqa: S608
    )
    for row in counts:
        row["examples"] = [
            example
            for example in examples
            if example["finding_type"] == row["finding_type"] and example["kind"] == row["kind"]
        ]
    return counts


def _detail(connection: duckdb.DuckDBPyConnection) -> list[Row]:
    # Top-N by severity then recency: DuckDB keeps only DETAIL_ROW_CAP rows while scanning.
    return _rows(
        connection,
        f"""
        select sent_at, severity, rule_code, campaign_id, source_system, channel, legal_basis,
               promoted_category, email, send_id, evidence, evidence_ref
        from marts.violations
        order by {SEVERITY_RANK_SQL}, sent_at desc nulls last, send_id, rule_code
        limit {DETAIL_ROW_CAP}
        """,  # noqa: S608
    )


def collect_report_data(
    connection: duckdb.DuckDBPyConnection,
    warehouse_name: str,
    generated_at: datetime,
    checks: RunChecks | None = None,
) -> ReportData:
    require_tables(
        connection, "marts.sends_checked", "marts.violations", "marts.alignment_gaps", "marts.load_audit"
    )
    rules_reference_present = table_exists(connection, *RULES_MODEL)
    headline = _headline(connection)
    weeks, weeks_total = _weeks(connection)
    load_totals, loads_by_kind, problem_files = _loads(connection)
    notes = []
    if not rules_reference_present:
        notes.append(f"{'.'.join(RULES_MODEL)} is not in the warehouse: legal references are not shown.")
    if weeks_total > len(weeks):
        notes.append(f"The trend shows the latest {len(weeks)} of {weeks_total} ISO weeks.")
    return ReportData(
        generated_at=generated_at,
        warehouse_name=warehouse_name,
        headline=headline,
        violations_by_severity=_violations_by_severity(connection),
        rules=_rules(connection, rules_reference_present),
        rules_reference_present=rules_reference_present,
        weeks=weeks,
        weeks_total=weeks_total,
        campaigns=_campaigns(connection),
        applications=_applications(connection),
        alignment=_alignment(connection),
        load_totals=load_totals,
        loads_by_kind=loads_by_kind,
        problem_files=problem_files,
        quarantine_reasons=_quarantine_reasons(connection),
        findings=_findings(connection),
        detail=_detail(connection),
        violations_total=headline["violations"],
        notes=notes,
        checks=checks,
        propagation=propagation_by_application(connection),
    )
