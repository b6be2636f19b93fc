{#
  The first row of each group of `relation`: groups by the `partition_by` columns (a list),
  ordered by `order_by` (SQL; end it with a unique column so that ties cannot pick a different
  row on another build). Selects every column of the relation plus `rank_in_group`.
#}
{% macro first_of_each(relation, partition_by, order_by) -%}
    select *
    from (
        select
            *,
            row_number() over (partition by {{ partition_by | join(', ') }} order by {{ order_by }}) as rank_in_group
        from {{ relation }}
    ) as ranked
    where rank_in_group = 1
{%- endmacro %}
