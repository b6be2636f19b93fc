{#
  Time arithmetic behind adapter.dispatch, so that another engine needs only these macros.
  Every instant is a UTC TIMESTAMPTZ; calendar arithmetic happens on the UTC calendar.
#}

{# A local date (midnight in the configured time zone) as an instant. #}
{% macro local_midnight(date_expression, tz=none) -%}
    {{ return(adapter.dispatch('local_midnight', 'softspam')(date_expression, tz or var('timezone'))) }}
{%- endmacro %}

{% macro spark__local_midnight(date_expression, tz) -%}
    to_utc_timestamp(cast({{ date_expression }} as timestamp), '{{ tz }}')
{%- endmacro %}

{% macro duckdb__local_midnight(date_expression, tz) -%}
    {{ duckdb_local_to_utc('cast(' ~ date_expression ~ ' as timestamp)', tz) }}
{%- endmacro %}

{#
  A local wall-clock TIMESTAMP of zone tz as an instant, by the rule of docs/rules.md section 4 (as
  ingestion reads, orchestration/ingestion/timestamps.py): a time a clock change repeats is its
  first occurrence, one it skips takes the offset in force before the change. DuckDB's
  timezone(tz, l) reads a repeated time as its second occurrence, so l is read with the offset
  in force a day before (a) and a day after (b), and a wins unless only b reads back as l.
  Spark's to_utc_timestamp (java.time) already follows the rule.
#}
{% macro duckdb_local_to_utc(local, tz) -%}
    {%- set l = '(' ~ local ~ ')' -%}
    {%- set z = "'" ~ tz ~ "'" -%}
    {%- set a = "(timezone('UTC', " ~ l ~ ") - to_hours(24))" -%}
    {%- set b = "(timezone('UTC', " ~ l ~ ") + to_hours(24))" -%}
    {%- set at_a = "timezone('UTC', " ~ l ~ " - (timezone(" ~ z ~ ", " ~ a ~ ") - timezone('UTC', " ~ a ~ ")))" -%}
    {%- set at_b = "timezone('UTC', " ~ l ~ " - (timezone(" ~ z ~ ", " ~ b ~ ") - timezone('UTC', " ~ b ~ ")))" -%}
    case
        when timezone({{ z }}, {{ at_a }}) = {{ l }} then {{ at_a }}
        when timezone({{ z }}, {{ at_b }}) = {{ l }} then {{ at_b }}
        else {{ at_a }}
    end
{%- endmacro %}

{# ts minus n calendar months, on the UTC calendar (the authorization window). #}
{% macro subtract_months(ts, months) -%}
    {{ return(adapter.dispatch('subtract_months', 'softspam')(ts, months)) }}
{%- endmacro %}

{% macro spark__subtract_months(ts, months) -%}
    {#- not add_months(), which returns a date; the session time zone is UTC (profiles.yml) -#}
    ({{ ts }} - make_ym_interval(0, {{ months }}))
{%- endmacro %}

{% macro duckdb__subtract_months(ts, months) -%}
    timezone('UTC', timezone('UTC', {{ ts }}) - to_months({{ months }}))
{%- endmacro %}

{# ts plus a number of hours (the opposition grace, applications' service levels). #}
{% macro add_hours(ts, hours) -%}
    {{ return(adapter.dispatch('add_hours', 'softspam')(ts, hours)) }}
{%- endmacro %}

{% macro spark__add_hours(ts, hours) -%}
    ({{ ts }} + make_interval(0, 0, 0, 0, {{ hours }}, 0, 0))
{%- endmacro %}

{% macro duckdb__add_hours(ts, hours) -%}
    ({{ ts }} + to_hours(cast({{ hours }} as bigint)))
{%- endmacro %}

{# Hours from a to b, as a number. #}
{% macro hours_between(a, b) -%}
    {{ return(adapter.dispatch('hours_between', 'softspam')(a, b)) }}
{%- endmacro %}

{% macro spark__hours_between(a, b) -%}
    ((unix_timestamp({{ b }}) - unix_timestamp({{ a }})) / 3600.0)
{%- endmacro %}

{% macro duckdb__hours_between(a, b) -%}
    ((epoch({{ b }}) - epoch({{ a }})) / 3600.0)
{%- endmacro %}

{# An instant as readable UTC text for evidence sentences: 2026-03-10 11:00:00 UTC. #}
{% macro format_utc(ts) -%}
    {{ return(adapter.dispatch('format_utc', 'softspam')(ts)) }}
{%- endmacro %}

{% macro spark__format_utc(ts) -%}
    concat(date_format(from_utc_timestamp({{ ts }}, 'UTC'), 'yyyy-MM-dd HH:mm:ss'), ' UTC')
{%- endmacro %}

{% macro duckdb__format_utc(ts) -%}
    strftime(timezone('UTC', {{ ts }}), '%Y-%m-%d %H:%M:%S UTC')
{%- endmacro %}

{# Hours as short text: 0, 1.5, 26. #}
{% macro format_hours(hours) -%}
    {{ return(adapter.dispatch('format_hours', 'softspam')(hours)) }}
{%- endmacro %}

{% macro spark__format_hours(hours) -%}
    regexp_replace(format_number(round({{ hours }}, 1), '0.0'), '\\.0$', '')
{%- endmacro %}

{% macro duckdb__format_hours(hours) -%}
    regexp_replace(printf('%.1f', round({{ hours }}, 1)), '\.0$', '')
{%- endmacro %}

{#
  The evaluation time of eligibility: the `as_of` var, else the run's time. `softspam run`
  passes UTC text (orchestration.config.resolve_as_of); a value without an offset is read in
  the configured time zone, like every naive time of the contract.
#}
{% macro evaluated_at() -%}
    {%- set as_of = var('as_of', none) -%}
    {%- if as_of -%}
        {{ return(adapter.dispatch('parse_instant', 'softspam')("'" ~ (as_of | string | replace("'", "''")) ~ "'")) }}
    {%- else -%}
        {{ return('current_timestamp') }}
    {%- endif -%}
{%- endmacro %}

{% macro spark__parse_instant(text) -%}
    case
        when {{ text }} rlike '[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)? ?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$'
            then cast({{ text }} as timestamp)
        else to_utc_timestamp(cast({{ text }} as timestamp), '{{ var("timezone") }}')
    end
{%- endmacro %}

{% macro duckdb__parse_instant(text) -%}
    case
        -- an offset (Z, +01, +0100, +01:00) after a time of day; a bare date stays local
        when regexp_matches({{ text }}, '[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)? ?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$')
            then cast({{ text }} as timestamptz)
        else {{ duckdb_local_to_utc('cast(' ~ text ~ ' as timestamp)', var("timezone")) }}
    end
{%- endmacro %}

{#
  The instant type (DuckDB TIMESTAMPTZ; Spark's TIMESTAMP is an instant shown in the session
  time zone, UTC here) and a UTC instant literal: 'YYYY-MM-DD HH:MM:SS'.
#}
{% macro instant_type() -%}
    {{ return(adapter.dispatch('instant_type', 'softspam')()) }}
{%- endmacro %}

{% macro spark__instant_type() -%}
    timestamp
{%- endmacro %}

{% macro duckdb__instant_type() -%}
    timestamptz
{%- endmacro %}

{% macro utc_instant(text) -%}
    {{ return(adapter.dispatch('utc_instant', 'softspam')(text)) }}
{%- endmacro %}

{% macro spark__utc_instant(text) -%}
    to_utc_timestamp(cast('{{ text }}' as timestamp), 'UTC')
{%- endmacro %}

{% macro duckdb__utc_instant(text) -%}
    cast('{{ text }}+00' as timestamptz)
{%- endmacro %}
