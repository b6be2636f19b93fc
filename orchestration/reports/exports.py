"""CSV exports: violations, alignment gaps and, per marketing application, its suppression list,
what its latest snapshot still lacks, and for Mailchimp that delta as an unsubscribe import.

Big tables go through DuckDB ``COPY`` (fast at 10M rows); the formula neutralisation happens in
the SELECT, so no row passes through Python. Text cells that a spreadsheet would run as a formula
(leading ``=``, ``+``, ``-``, ``@``, tab or carriage return) get a leading single quote.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from orchestration.reports.atomic import atomic_path
from orchestration.reports.warehouse import ReportError, require_tables
from orchestration.warehouse import column_types, quote_identifier, table_exists

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# DuckDB string literals keep backslashes as typed, so RE2 reads \t and \r as tab and CR.
_FORMULA_REGEX_SQL = "'^[=+\\-@\\t\\r]'"
_NUMERIC_OR_BOOLEAN = re.compile(
    r"^(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|U\w*INT|DOUBLE|FLOAT|REAL|DECIMAL)"
)
_SAFE_FILE_STEM = re.compile(r"[^A-Za-z0-9._-]")

VIOLATIONS_ORDER = "sent_at, send_id, source_system, rule_code"
ALIGNMENT_GAPS_ORDER = "application, opposed_at, person_key"
SUPPRESSION_ORDER = "first_opposed_at, person_key"
# What a sending application needs first; any further column of the table follows.
SUPPRESSION_LEADING_COLUMNS = ("person_key", "email", "scope", "first_opposed_at", "opposition_id")
DELTA_ORDER = "opposed_at, person_key"
# The column Mailchimp's import requires (docs/formats.md section 4.1); the status Unsubscribed is
# chosen in the import itself, so the file holds nothing else.
MAILCHIMP_EMAIL_COLUMN = "Email Address"


def neutralise_cell(value: object) -> object:
    """The Python twin of the SQL neutralisation, for the few rows written without COPY."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def export_expression(column: str, data_type: str) -> str:
    """SQL for one exported cell: UTC ISO 8601 for instants, numbers as numbers, text neutralised."""
    name = quote_identifier(column)
    upper_type = data_type.upper()
    if upper_type.startswith("TIMESTAMP WITH TIME ZONE"):
        # Whole seconds print without a fraction; times are already UTC (the session is set to UTC).
        return (
            f"case when microsecond({name}) % 1000000 = 0 "
            f"then strftime({name}, '%Y-%m-%dT%H:%M:%SZ') "
            f"else strftime({name}, '%Y-%m-%dT%H:%M:%S.%fZ') end as {name}"
        )
    if _NUMERIC_OR_BOOLEAN.match(upper_type) or upper_type in ("DATE", "TIMESTAMP"):
        return name
    text = f"cast({name} as varchar)"
    is_formula = f"regexp_matches({text}, {_FORMULA_REGEX_SQL})"
    return f"case when {is_formula} then '''' || {text} else {text} end as {name}"


def export_query(
    connection: duckdb.DuckDBPyConnection,
    query: str,
    target: Path,
    order_by: str,
    *,
    columns: tuple[str, ...] = (),
) -> Path:
    """The columns of a SELECT (``columns``, else all), each cell as ``export_expression`` writes
    it; ``order_by`` may name any column of the SELECT."""
    described = [(row[0], row[1]) for row in connection.execute(f"describe {query}").fetchall()]
    chosen = [column for column in described if not columns or column[0] in columns]
    select_list = ", ".join(export_expression(name, type_) for name, type_ in chosen)
    return copy_query_to_csv(
        connection,
        f"select {select_list} from ({query}) as exported order by {order_by}",  # noqa: S608
        target,
    )


def copy_query_to_csv(connection: duckdb.DuckDBPyConnection, query: str, target: Path) -> Path:
    """COPY a SELECT to ``target`` as UTF-8 CSV with a header row, atomically."""
    with atomic_path(target) as temp_path:
        connection.execute(
            f"copy ({query}) to {sql_literal(str(temp_path))} (format csv, header true, delimiter ',')"
        )
    return target


def export_table(
    connection: duckdb.DuckDBPyConnection,
    qualified_table: str,
    target: Path,
    order_by: str,
    *,
    where_sql: str = "true",
    excluded_columns: tuple[str, ...] = (),
    leading_columns: tuple[str, ...] = (),
) -> Path:
    """All columns of the table but the excluded ones; ``leading_columns`` (when present) first."""
    schema, table = qualified_table.split(".", 1)
    columns = [
        (name, type_)
        for name, type_ in column_types(connection, schema, table)
        if name not in excluded_columns
    ]
    columns.sort(key=lambda column: leading_columns.index(column[0]) if column[0] in leading_columns else 99)
    select_list = ", ".join(export_expression(name, type_) for name, type_ in columns)
    # Sort on the source columns, not the formatted text, so instants order by time.
    query = f"select {select_list} from {qualified_table} where {where_sql} order by {order_by}"  # noqa: S608
    return copy_query_to_csv(connection, query, target)


def safe_file_stem(application: str) -> str:
    """A file name for an application: never a path, never hidden."""
    stem = _SAFE_FILE_STEM.sub("_", application.strip()).lstrip(".")
    if not stem:
        raise ReportError(f"application name {application!r} cannot be used as a file name")
    return stem


def marketing_applications(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """Applications that send marketing; without the reference data, those that owe suppressions.

    Staging, not the seed: it holds the applications the run used (the company's
    landing/reference/applications.csv when supplied)."""
    if table_exists(connection, "staging", "stg_reference__applications"):
        rows = connection.execute(
            "select distinct application from staging.stg_reference__applications "
            "where is_sending_marketing and application is not null order by application"
        ).fetchall()
    else:
        rows = connection.execute(
            "select distinct application from marts.application_suppressions order by application"
        ).fetchall()
    return [row[0] for row in rows]


def write_suppression_lists(connection: duckdb.DuckDBPyConnection, output: Path) -> list[Path]:
    """suppression/<application>.csv for every marketing application, empty lists included."""
    require_tables(connection, "marts.application_suppressions")
    written = []
    for application in marketing_applications(connection):
        target = output / "suppression" / f"{safe_file_stem(application)}.csv"
        written.append(
            export_table(
                connection,
                "marts.application_suppressions",
                target,
                SUPPRESSION_ORDER,
                where_sql=f"application = {sql_literal(application)}",
                excluded_columns=("application",),
                leading_columns=SUPPRESSION_LEADING_COLUMNS,
            )
        )
    return written


def mailchimp_applications(connection: duckdb.DuckDBPyConnection) -> set[str]:
    """Applications that are Mailchimp audiences: named so, or sending their snapshots as
    Mailchimp exports (the format is recognised from each file's header)."""
    applications = {name for name in marketing_applications(connection) if name == "mailchimp"}
    if table_exists(connection, "staging", "stg_landing__suppression_snapshots"):
        rows = connection.execute(
            "select distinct application from staging.stg_landing__suppression_snapshots "
            "where snapshot_format = 'mailchimp' and application is not null"
        ).fetchall()
        applications |= {row[0] for row in rows}
    return applications


def delta_query(application: str) -> str:
    """The application's master suppression list, only the persons its latest snapshot lacks (all
    of them when it has none), each with the objection that puts them on it; hours_overdue from
    marts.alignment_gaps, NULL while not yet due at that snapshot."""
    return f"""
        select owed.person_key, owed.email, owed.opposition_id, owed.first_opposed_at as opposed_at,
               owed.scope, owed.source_system, propagation.due_at,
               propagation.latest_snapshot_taken_at as snapshot_taken_at, gaps.hours_overdue
        from marts.application_suppressions as owed
        inner join marts.propagation as propagation
            on owed.application = propagation.application
            and owed.person_key = propagation.person_key
            and owed.opposition_id = propagation.opposition_id
            and owed.source_system is not distinct from propagation.source_system
        left join marts.alignment_gaps as gaps
            on owed.application = gaps.application and owed.person_key = gaps.person_key
        where owed.application = {sql_literal(application)} and not propagation.is_in_latest_snapshot
    """  # noqa: S608


def write_suppression_deltas(connection: duckdb.DuckDBPyConnection, output: Path) -> list[Path]:
    """suppression/<application>.delta.csv for every marketing application (empty ones included),
    and for Mailchimp ones the same persons as suppression/<application>.mailchimp_unsubscribe.csv.

    A warehouse built before marts.propagation existed gets none."""
    if not table_exists(connection, "marts", "propagation"):
        return []
    written = []
    mailchimp = mailchimp_applications(connection)
    for application in marketing_applications(connection):
        folder, stem = output / "suppression", safe_file_stem(application)
        delta = delta_query(application)
        written.append(export_query(connection, delta, folder / f"{stem}.delta.csv", DELTA_ORDER))
        if application in mailchimp:
            written.append(
                export_query(
                    connection,
                    f"select *, email as {quote_identifier(MAILCHIMP_EMAIL_COLUMN)} "  # noqa: S608
                    f"from ({delta}) as delta where email is not null",
                    folder / f"{stem}.mailchimp_unsubscribe.csv",
                    DELTA_ORDER,
                    columns=(MAILCHIMP_EMAIL_COLUMN,),
                )
            )
    return written


def write_exports(connection: duckdb.DuckDBPyConnection, output: Path) -> list[Path]:
    require_tables(connection, "marts.violations", "marts.alignment_gaps", "marts.application_suppressions")
    return [
        export_table(connection, "marts.violations", output / "violations.csv", VIOLATIONS_ORDER),
        export_table(connection, "marts.alignment_gaps", output / "alignment_gaps.csv", ALIGNMENT_GAPS_ORDER),
        *write_suppression_lists(connection, output),
        *write_suppression_deltas(connection, output),
    ]
