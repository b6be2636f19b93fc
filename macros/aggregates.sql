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
  An anti-join against the few records that have several versions, rather than a window over
  every row: a window sorts every (wide) row, and at ten million sends that was the costliest
  step of the build. Keys compare with `is not distinct from`, as a window's partitions do.
#}
{% macro latest_version(relation, record_key, load_column='_load_id', line_column='_source_line') -%}
    {%- set keys = record_key.split(',') | map('trim') | list -%}
    select versions.*
    from {{ relation }} as versions
    left join (
        select
            {%- for key in keys %}
            all_versions.{{ key }},
            {%- endfor %}
            all_versions.{{ load_column }},
            all_versions.{{ line_column }}
        from {{ relation }} as all_versions
        inner join (
            select {{ keys | join(', ') }}
            from {{ relation }}
            group by {{ keys | join(', ') }}
            having count(*) > 1
        ) as versioned_keys
            on
            {%- for key in keys %}
                all_versions.{{ key }} is not distinct from versioned_keys.{{ key }}
                {%- if not loop.last %} and{% endif %}
            {%- endfor %}
    ) as newer
        on
        {%- for key in keys %}
            versions.{{ key }} is not distinct from newer.{{ key }} and
        {%- endfor %}
            (
                newer.{{ load_column }} > versions.{{ load_column }}
                or (
                    newer.{{ load_column }} = versions.{{ load_column }}
                    and newer.{{ line_column }} > versions.{{ line_column }}
                )
            )
    -- a record with no newer version of itself is the latest
    where newer.{{ load_column }} is null
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
