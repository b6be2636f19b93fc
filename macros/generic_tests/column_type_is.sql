{#
  Generic column test: the column exists in the built relation with the given data type, as
  information_schema.columns names it (DuckDB: 'TIMESTAMP WITH TIME ZONE' for TIMESTAMPTZ).
  contracts.md section 3 promises TIMESTAMPTZ for every mart timestamp; a model that lost the
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

{% endtest %}
