{#
  Generic test: a multi-column foreign key. Every row of the model whose `columns` are not all
  NULL has a row in `to` with the same `to_columns` (default: the same names). Values are
  matched null-safely (`is not distinct from`), because a key part such as source_system may be
  empty in an export and the row is still kept and judged.

    data_tests:
      - relationships_composite:
          arguments:
            columns: [send_id, source_system]
            to: ref('sends_checked')
#}
{% test relationships_composite(model, columns, to, to_columns=none) %}
{%- set to_columns = to_columns or columns -%}

select child.*
from {{ model }} as child
where
    not (
        {%- for column in columns %}
        child.{{ column }} is null{{ ' and' if not loop.last }}
        {%- endfor %}
    )
    and not exists (
        select 1
        from {{ to }} as parent
        where
            {%- for column in columns %}
            child.{{ column }} is not distinct from parent.{{ to_columns[loop.index0] }}{{ ' and' if not loop.last }}
            {%- endfor %}
    )

{% endtest %}
