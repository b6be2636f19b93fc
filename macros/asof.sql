{#
  Point-in-time lookup without fan-out: for every row of `left`, the one row of `right` with
  equal `keys` whose `right_time` is the nearest
    - at or before `left_time` (direction 'backward'), or
    - at or after `left_time`  (direction 'forward').
  Returns every column of `left` plus `columns` of `right`, prefixed with `prefix`
  (NULL when there is no such row). `right` must have one row per (keys, right_time).

  DuckDB has ASOF JOIN; other engines get a range join ranked by distance, which needs
  `left_id`, a unique key of `left`.
#}
{% macro asof_lookup(left, left_id, right, keys, left_time, right_time, columns, direction='backward', prefix='') -%}
    {{ return(adapter.dispatch('asof_lookup', 'softspam')(
        left, left_id, right, keys, left_time, right_time, columns, direction, prefix)) }}
{%- endmacro %}

{% macro duckdb__asof_lookup(left, left_id, right, keys, left_time, right_time, columns, direction, prefix) -%}
    select
        l.*
        {%- for column in columns %},
        r.{{ column }} as {{ prefix }}{{ column }}
        {%- endfor %}
    from {{ left }} as l
    asof left join {{ right }} as r
        on
        {%- for key in keys %}
            l.{{ key }} = r.{{ key }} and
        {%- endfor %}
            r.{{ right_time }} {{ '<=' if direction == 'backward' else '>=' }} l.{{ left_time }}
{%- endmacro %}

{% macro default__asof_lookup(left, left_id, right, keys, left_time, right_time, columns, direction, prefix) -%}
    {#- named per lookup: a lookup's output may be the left side of the next one -#}
    {%- set rank_column = '_asof_rank_' ~ prefix ~ right_time -%}
    select * from (
        select
            l.*
            {%- for column in columns %},
            r.{{ column }} as {{ prefix }}{{ column }}
            {%- endfor %},
            row_number() over (
                partition by l.{{ left_id }}
                order by r.{{ right_time }} {{ 'desc' if direction == 'backward' else 'asc' }}
            ) as {{ rank_column }}
        from {{ left }} as l
        left join {{ right }} as r
            on
            {%- for key in keys %}
                l.{{ key }} = r.{{ key }} and
            {%- endfor %}
                r.{{ right_time }} {{ '<=' if direction == 'backward' else '>=' }} l.{{ left_time }}
    ) as ranked
    where {{ rank_column }} = 1
{%- endmacro %}
