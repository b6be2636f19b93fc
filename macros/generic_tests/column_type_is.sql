{#
  Generic column test: the column exists in the built relation with the given data type, as
  information_schema.columns names it (DuckDB: 'TIMESTAMP WITH TIME ZONE' for TIMESTAMPTZ).
  docs/formats.md section 3 promises TIMESTAMPTZ for every mart timestamp; a model that lost the
  time zone (a naive TIMESTAMP) fails here. Returns one row when the column is missing or
  has another type.

    columns:
      - name: sent_at
        data_tests:
          - column_type_is:
              arguments:
                data_type: timestamp with time zone
#}
{% test column_type_is(model, column_name, data_type) %}
    {{ adapter.dispatch('column_type_is_query', 'softspam')(model, column_name, data_type) }}
{% endtest %}

{% macro duckdb__column_type_is_query(model, column_name, data_type) %}

with

expected as (
    select
        lower('{{ model.schema }}') as table_schema,
        lower('{{ model.identifier }}') as table_name,
        lower('{{ column_name }}') as column_name,
        lower('{{ data_type }}') as data_type
),

actual as (
    select
        lower(table_schema) as table_schema,
        lower(table_name) as table_name,
        lower(column_name) as column_name,
        lower(data_type) as data_type
    from information_schema.columns
)

select
    expected.table_name,
    expected.column_name,
    expected.data_type as expected_type,
    actual.data_type as actual_type
from expected
left join actual
    on
        expected.table_schema = actual.table_schema
        and expected.table_name = actual.table_name
        and expected.column_name = actual.column_name
where actual.data_type is distinct from expected.data_type
{% endmacro %}

{#
  Engines without DuckDB's information_schema: the relation's columns as the adapter describes
  them, and the contract's type names in the engine's words (Spark's TIMESTAMP is an instant).
#}
{% macro spark__column_type_is_query(model, column_name, data_type) %}
    {%- set engine_names = {'timestamp with time zone': 'timestamp', 'varchar': 'string'} -%}
    {%- set expected = engine_names.get(data_type | lower, data_type | lower) -%}
    {%- set actual = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(model) -%}
            {%- if column.name | lower == column_name | lower -%}
                {%- do actual.append(column.dtype | lower) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    select * from (
        select
            '{{ model.identifier }}' as table_name,
            '{{ column_name }}' as column_name,
            '{{ expected }}' as expected_type,
            {{ "'" ~ actual[0] ~ "'" if actual else 'cast(null as string)' }} as actual_type
    ) as checked
    where actual_type is null or actual_type <> expected_type
{% endmacro %}
