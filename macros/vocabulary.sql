{#
  The marketing vocabulary of dbt_project.yml (vars.vocabulary): `terms` names a list
  (send_channels, consent_channels, scopes, legal_bases, consent_statuses).

    where scope in {{ vocabulary_list('scopes') }}
#}
{% macro vocabulary_list(terms) -%}
    ('{{ var('vocabulary')[terms] | join("', '") }}')
{%- endmacro %}

{#
  Generic test: the column holds a term of the vocabulary list `terms` (NULL passes).

    data_tests:
      - in_vocabulary:
          arguments: {terms: scopes}
#}
{% test in_vocabulary(model, column_name, terms) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} not in {{ vocabulary_list(terms) }}

{% endtest %}
