{#
  Generic test: the combination of `combination_of_columns` identifies a row (the grain).
  NULLs count as a value (two rows with the same columns and a NULL in the same place are
  duplicates), which is the stricter reading and the one a key needs.
  `not_null_columns` (of the combination): a row with NULL in one of them fails too, in the same
  pass. For a view, whose every test computes it again, one test of its key instead of three.

    data_tests:
      - unique_combination_of_columns:
          arguments:
            combination_of_columns: [send_id, source_system]
            not_null_columns: [send_id]
#}
{% test unique_combination_of_columns(model, combination_of_columns, not_null_columns=[]) %}

{%- for column in not_null_columns if column not in combination_of_columns %}
    {{ exceptions.raise_compiler_error("not_null_columns: " ~ column ~ " is not in combination_of_columns") }}
{%- endfor %}
select
    {{ combination_of_columns | join(', ') }},
    count(*) as rows_with_this_key
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having
    count(*) > 1
    {%- for column in not_null_columns %}
        or {{ column }} is null
    {%- endfor %}

{% endtest %}
