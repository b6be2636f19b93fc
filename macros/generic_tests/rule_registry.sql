{#
  Generic tests read from the rules' registry (macros/compliance_rules.sql), so that a rule
  added there needs no test edited.

    - name: rule_code
      data_tests: [is_a_registered_rule]
    - name: violation_count
      data_tests: [is_at_most_the_rules_a_send_can_break]
    - name: evidence_ref
      data_tests: [names_the_record_where_its_rule_has_one]
#}

{# The column holds a code of the registry (or NULL). #}
{% test is_a_registered_rule(model, column_name) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} not in (
    {%- for rule in compliance_rules() %}
    '{{ rule.code }}'{{ ',' if not loop.last }}
    {%- endfor %}
)

{% endtest %}

{# The count is between 0 and what one send can break: every rule outside the soft-spam chain,
   and one step of the chain (it reports only its first failing step). #}
{% test is_at_most_the_rules_a_send_can_break(model, column_name) %}

{%- set outside_chain = [] %}
{%- for rule in compliance_rules() if not rule.get('passes') %}
    {%- do outside_chain.append(rule.code) %}
{%- endfor %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} not between 0 and {{ outside_chain | length + 1 }}

{% endtest %}

{# Where the row's rule (column rule_code) always names a record (registry: evidence_ref, not
   record_may_be_missing), the column holds that record's reference. #}
{% test names_the_record_where_its_rule_has_one(model, column_name) %}

select rule_code, {{ column_name }}
from {{ model }}
where {{ column_name }} is null and rule_code in (
    {%- for rule in compliance_rules() if rule.evidence_ref and not rule.get('record_may_be_missing') %}
    '{{ rule.code }}'{{ ',' if not loop.last }}
    {%- endfor %}
)

{% endtest %}
