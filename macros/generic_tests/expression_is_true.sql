{#
  Generic test: every row of the model satisfies a boolean SQL expression.
  Fails with the rows where the expression is false or NULL (a NULL is not "true"), so
  `coalesce(...)` in the expression when NULL is meant to pass.

    data_tests:
      - expression_is_true:
          arguments:
            expression: "is_compliant = (violation_count = 0)"
#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce({{ expression }}, false)

{% endtest %}
