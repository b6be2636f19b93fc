{#
  The reference data a run uses: landing/reference/<seed>.csv when the company supplied it
  (loaded by ingestion into raw.reference_<seed>), else the shipped seed. All as text here;
  staging casts.
#}
{% macro reference_data(seed_name, columns) -%}
    {%- set column_list = columns | join(', ') -%}
    with

    override_rows as (
        select {{ column_list }}
        from {{ source('reference_overrides', 'reference_' ~ seed_name) }}
    ),

    shipped_rows as (
        select
        {%- for column in columns %}
            cast({{ column }} as string) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
        from {{ ref(seed_name) }}
    )

    select * from override_rows
    union all
    select * from shipped_rows
    where not exists (select 1 from override_rows)
{%- endmacro %}
