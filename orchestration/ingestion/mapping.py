"""SQL that maps a staged file's text columns onto its raw table, and decides quarantine.

One SELECT per file yields the raw table's columns, the lineage columns, and ``_reason``
(NULL for a row to load, else why it is quarantined); the loader inserts from it directly. Only a
missing id or a missing/unreadable event time quarantines a row.
"""

from __future__ import annotations

from .formats import EVENT_TIME, OPTIONAL_TIME, SNAPSHOT_TAKEN_AT, Format, header_positions, normalise_header
from .raw_schema import TIME_TEXT_SUFFIX
from .reader import Header, StagedFile
from .sql import sql_literal
from .timestamps import timestamp_sql


def _blank(expr: str) -> str:
    return f"nullif(trim({expr}), '') is null"


class FormatMapping:
    """The SQL of one file: its format, its header, its staged tables and its constants."""

    def __init__(self, fmt: Format, header: Header, staged: StagedFile, timezone: str):
        self.fmt = fmt
        self.header = header
        self.staged = staged
        self.timezone = "UTC" if fmt.times_in_utc else timezone
        self.positions = header_positions(header.names)

    def source(self, header_name: str | None, alias: str = "r") -> str:
        """SQL of the text of a header column in ``alias`` (NULL when the file lacks it)."""
        if header_name is None or normalise_header(header_name) not in self.positions:
            return "null::varchar"
        return f"{alias}.c{self.positions[normalise_header(header_name)]}"

    def _carried(self, header_name: str | None) -> str:
        """Shopify: the row's own value, else the first one written earlier in the same order."""
        text = self.source(header_name)
        if header_name not in self.fmt.carried or text.startswith("null"):
            return text
        group = self.source(self.fmt.group_by)
        return (
            f"case when {_blank(text)} then first_value(case when not {_blank(text)} then {text} end "
            f"ignore nulls) over (partition by {group} order by r.rowid "
            f"rows between unbounded preceding and current row) else {text} end"
        )

    def extra_columns(self) -> str:
        """JSON object text of the header columns the format does not use; NULL when none."""
        used = {normalise_header(c.source) for c in self.fmt.columns if c.source}
        used |= {normalise_header(name) for name in self.fmt.used_elsewhere}
        pairs, keys, read = [], set(), set()
        for position, name in enumerate(self.header.names):
            key = name.strip()
            # the first occurrence of a column the format reads is read; a repeat is kept here
            if not key or (normalise_header(key) in used and normalise_header(key) not in read):
                read.add(normalise_header(key))
                continue
            if key in keys:
                key = f"{key}#{position + 1}"
            keys.add(key)
            pairs.append(f"{sql_literal(key)}, r.c{position}")
        return f"json_object({', '.join(pairs)})::varchar" if pairs else "null::varchar"

    def raw_record(self) -> str:
        fields = ", ".join(f"coalesce(r.c{i}, '')" for i in range(self.staged.column_count))
        return f"array_to_string([{fields}], {sql_literal(self.header.delimiter)})"

    def _header_name_of(self, column: str) -> str:
        return next(c.source for c in self.fmt.columns if c.name == column and c.source)

    def _column_of(self, header_name: str) -> str:
        return next(c.name for c in self.fmt.columns if c.source == header_name)

    def reason(self) -> str:
        """SQL CASE naming the first reason to quarantine a row of ``src`` (NULL: load it)."""
        whens: list[str] = []
        ids = [self._column_of(h) for h in self.fmt.id_columns]
        if self.fmt.name == "mailchimp":
            # any one of LEID, EUID or the address identifies an unsubscribe
            all_blank = " and ".join(_blank(f"t_{c}") for c in ids)
            whens.append(f"when {all_blank} then 'missing LEID, EUID and Email Address'")
        else:
            for header_name, column in zip(self.fmt.id_columns, ids, strict=True):
                whens.append(f"when {_blank(f't_{column}')} then {sql_literal('missing ' + header_name)}")
        if self.fmt.event_time:
            column = self._column_of(self.fmt.event_time)
            label = self.fmt.event_time
            whens.append(f"when {_blank(f't_{column}')} then {sql_literal('missing ' + label)}")
            whens.append(
                f"when {column} is null then {sql_literal('unparseable ' + label + ': ')} "
                f"|| '''' || t_{column} || ''''"
            )
        return "case " + " ".join(whens) + " end"

    def judged_sql(self, constants: dict[str, str | None]) -> str:
        """SELECT of every staged record, typed; ``constants`` fill columns from the file's place.

        It yields the raw table's columns, _source_line, _extra_columns, _reason (NULL: load
        the row) and, for quarantined rows only, _raw_record (the fields re-joined by the
        file's delimiter). Callers insert from it directly, filtering on _reason.
        """
        text_columns = []
        typed_columns = []
        # each time column's text is kept beside its instant, to be read again in another zone
        times = [c.name for c in self.fmt.columns if c.role in (EVENT_TIME, OPTIONAL_TIME)]
        time_texts = {name + TIME_TEXT_SUFFIX for name in times}
        for column in self.fmt.columns:
            if column.name in constants or column.name in time_texts:
                continue
            text_columns.append(f"{self._carried(column.source)} as t_{column.name}")
            if column.role in (EVENT_TIME, OPTIONAL_TIME):
                typed_columns.append(f"{timestamp_sql(f't_{column.name}', self.timezone)} as {column.name}")
                typed_columns.append(f"t_{column.name} as {column.name}{TIME_TEXT_SUFFIX}")
            else:
                typed_columns.append(f"t_{column.name} as {column.name}")
        kept = [c.name for c in self.fmt.columns if c.name not in constants and c.name not in time_texts]
        kept += sorted(time_texts) + list(constants)
        if self.fmt.group_by:
            kept.append("line_number")
            group = self.source(self.fmt.group_by)
            text_columns.append(f"row_number() over (partition by {group} order by r.rowid) as t_line_number")
            typed_columns.append("t_line_number as line_number")
        for column, value in constants.items():
            literal = "null" if value is None else sql_literal(value)
            typed_columns.append(f"{literal}::varchar as {column}")
        if self.staged.line_offset is not None:
            # one record per line: the line is the row id shifted, no join needed
            source_line = f"r.rowid + {int(self.staged.line_offset)}"
            rows = f"{self.staged.rows} r"
        else:
            source_line = "l.source_line"
            rows = f"{self.staged.rows} r join {self.staged.lines} l on l.row_id = r.rowid"
        return f"""with src as (
                select r.*, {source_line} as _source_line, {self.extra_columns()} as _extra_columns,
                    {", ".join(text_columns)}
                from {rows}
            ),
            typed as (
                select src.*, {", ".join(typed_columns)} from src
            ),
            judged as (
                select typed.*, {self.reason()} as _reason from typed
            )
            select {", ".join(kept)}, _source_line, _extra_columns, _reason,
                case when _reason is not null then {self.raw_record()} end as _raw_record
            from judged r"""  # noqa: S608

    def snapshot_taken_at_sql(self) -> str:
        """Max of the file's snapshot_taken_at column, parsed, and the text it was read from;
        NULLs when absent or unreadable."""
        text = self.source(SNAPSHOT_TAKEN_AT)
        parsed = timestamp_sql(text, self.timezone)
        return f"select max({parsed}), arg_max({text}, {parsed}) from {self.staged.rows} r"  # noqa: S608
