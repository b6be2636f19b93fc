{#
  Generic test: the combination of `combination_of_columns` identifies a row (the grain).
  NULLs count as a value (two rows with the same columns and a NULL in the same place are
  duplicates), which is the stricter reading and the one a key needs.

    data_tests:
      - unique_combination_of_columns:
          arguments:
            combination_of_columns: [send_id, source_system]
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(', ') }},
    count(*) as rows_with_this_key
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
