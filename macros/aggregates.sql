{# Distinct values joined with ', ' in a stable order (the `sources` of the suppression list). #}
{% macro string_agg_distinct(expression) -%}
    {{ return(adapter.dispatch('string_agg_distinct', 'softspam')(expression)) }}
{%- endmacro %}

{% macro spark__string_agg_distinct(expression) -%}
    array_join(array_sort(collect_set({{ expression }})), ', ')
{%- endmacro %}

{% macro duckdb__string_agg_distinct(expression) -%}
    string_agg(distinct {{ expression }}, ', ' order by {{ expression }})
{%- endmacro %}

{#
  Keep only the latest version of each record: exports overlap, and the same record loaded
  again replaces the earlier version (higher _load_id, then later line). `record_key`: the
  record's identity as a list of SQL expressions over the relation's columns (record_identity).
  An anti-join against the few records that have several versions, rather than a window over
  every row: a window sorts every (wide) row, and at ten million sends that was the costliest
  step of the build. Keys compare with `is not distinct from`, as a window's partitions do.
#}
{% macro latest_version(relation, record_key, load_column='_load_id', line_column='_source_line') -%}
    select versions.*
    from {{ relation }} as versions
    left join (
        select
            {%- for key in record_key %}
            all_versions.version_key_{{ loop.index }} as newer_key_{{ loop.index }},
            {%- endfor %}
            all_versions.version_load_id as newer_load_id,
            all_versions.version_line as newer_line
        from (
            select
                {%- for key in record_key %}
                {{ key }} as version_key_{{ loop.index }},
                {%- endfor %}
                {{ load_column }} as version_load_id,
                {{ line_column }} as version_line
            from {{ relation }}
        ) as all_versions
        inner join (
            select
                {%- for key in record_key %}
                {{ key }} as versioned_key_{{ loop.index }}{{ ',' if not loop.last }}
                {%- endfor %}
            from {{ relation }}
            group by {{ record_key | join(', ') }}
            having count(*) > 1
        ) as versioned_keys
            on
            {%- for key in record_key %}
                all_versions.version_key_{{ loop.index }} is not distinct from versioned_keys.versioned_key_{{ loop.index }}
                {%- if not loop.last %} and{% endif %}
            {%- endfor %}
    ) as newer
        on
        {%- for key in record_key %}
            {#- unqualified: only `versions` has the raw columns the key reads #}
            {{ key }} is not distinct from newer.newer_key_{{ loop.index }} and
        {%- endfor %}
            (
                newer.newer_load_id > versions.{{ load_column }}
                or (
                    newer.newer_load_id = versions.{{ load_column }}
                    and newer.newer_line > versions.{{ line_column }}
                )
            )
    -- a record with no newer version of itself is the latest
    where newer.newer_load_id is null
{%- endmacro %}

{# All values joined with `separator` in sorted order (a fingerprint of reference rows). #}
{% macro string_agg_sorted(expression, separator) -%}
    {{ return(adapter.dispatch('string_agg_sorted', 'softspam')(expression, separator)) }}
{%- endmacro %}

{% macro spark__string_agg_sorted(expression, separator) -%}
    array_join(array_sort(collect_list({{ expression }})), '{{ separator }}')
{%- endmacro %}

{% macro duckdb__string_agg_sorted(expression, separator) -%}
    string_agg({{ expression }}, '{{ separator }}' order by {{ expression }})
{%- endmacro %}
