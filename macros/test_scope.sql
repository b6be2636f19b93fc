{#
  Data tests of what changed (docs/formats.md section 3.4). dbt hands every generic test its
  model through get_where_subquery. A model whose YAML sets `meta: {test_scope: evaluated_rows}`
  is incremental by delete+insert on its key and stamps each row with the build that wrote it
  (`evaluated_through_load_id`); a test of it may then read only the rows written after
  `after_load_id`: the others are the rows the previous build wrote and that test passed on.

  The run allows it (environment variable SOFTSPAM_TEST_SCOPE, JSON {after_load_id, passed},
  orchestration/test_scope.py; read only while executing, so dbt's partial parse survives it)
  only for the tests listed in `passed`: those that passed on the previous build of this
  warehouse, with the same project code and policy. Every other test, and every test on a first
  or full build, reads its whole model: a warning or failure found in old rows is found again on
  every run, never hidden because its rows are old. A build that judges everything again (the
  rules, the policy or the reference data changed) stamps every row, so its tests read them all.
#}
{% macro default__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {#- only while executing: dbt parses a generic test in a context without the project's macros -#}
    {%- set scope = test_scope_condition() if execute else '' -%}
    {%- if scope -%}
        {%- do conditions.append(scope) -%}
    {%- endif -%}
    {%- if conditions -%}
        {% do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') %}
    {%- else -%}
        {% do return(relation) %}
    {%- endif -%}
{%- endmacro %}

{#- The predicate limiting the running test to the changed rows, or '' when it reads every row. -#}
{% macro test_scope_condition() -%}
    {%- if not execute or model is not mapping -%}
        {{ return('') }}
    {%- endif -%}
    {%- set allowed = fromjson(env_var('SOFTSPAM_TEST_SCOPE', 'null')) -%}
    {%- if not allowed or model.get('unique_id') not in allowed.get('passed', []) -%}
        {{ return('') }}
    {%- endif -%}
    {%- set tested = graph.get('nodes', {}).get(model.get('attached_node') or '', {}) -%}
    {%- if tested.get('config', {}).get('meta', {}).get('test_scope') == 'evaluated_rows' -%}
        {{ return('evaluated_through_load_id > ' ~ (allowed.get('after_load_id') | int)) }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}
