{#
  Public schemas are named exactly (`marts`, `staging`, ...), not `<target>_marts`:
  users and the contract query `marts.violations`.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
