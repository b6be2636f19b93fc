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
