{# Distinct values joined with ', ' in a stable order (the `sources` of the suppression list). #}
{% macro string_agg_distinct(expression) -%}
    {{ return(adapter.dispatch('string_agg_distinct', 'softspam')(expression)) }}
{%- endmacro %}

{% macro default__string_agg_distinct(expression) -%}
    array_join(array_sort(collect_set({{ expression }})), ', ')
{%- endmacro %}

{% macro duckdb__string_agg_distinct(expression) -%}
    string_agg(distinct {{ expression }}, ', ' order by {{ expression }})
{%- endmacro %}

{#
  Keep only the latest version of each record: exports overlap, and the same id from the same
  source system loaded again replaces the earlier version (higher _load_id, then later line).
#}
{% macro latest_version(relation, record_key, load_column='_load_id', line_column='_source_line') -%}
    select * from (
        select
            *,
            row_number() over (
                partition by {{ record_key }}
                order by {{ load_column }} desc, {{ line_column }} desc
            ) as _version_rank
        from {{ relation }}
    ) as versions
    where _version_rank = 1
{%- endmacro %}

{# All values joined with `separator` in sorted order (a fingerprint of reference rows). #}
{% macro string_agg_sorted(expression, separator) -%}
    {{ return(adapter.dispatch('string_agg_sorted', 'softspam')(expression, separator)) }}
{%- endmacro %}

{% macro default__string_agg_sorted(expression, separator) -%}
    array_join(array_sort(collect_list({{ expression }})), '{{ separator }}')
{%- endmacro %}

{% macro duckdb__string_agg_sorted(expression, separator) -%}
    string_agg({{ expression }}, '{{ separator }}' order by {{ expression }})
{%- endmacro %}

{#
  A row's key for a model's own joins. DuckDB: an arbitrary row number, cheaper to join than
  text. Elsewhere the unique `key_expression` itself: an unordered row_number() is not allowed
  and an ordered one sorts the whole table in one partition.
#}
{% macro row_join_key(key_expression) -%}
    {{ return(adapter.dispatch('row_join_key', 'softspam')(key_expression)) }}
{%- endmacro %}

{% macro default__row_join_key(key_expression) -%}
    {{ key_expression }}
{%- endmacro %}

{% macro duckdb__row_join_key(key_expression) -%}
    row_number() over ()
{%- endmacro %}
