{#
  Text normalisation of docs/rules.md section 4: values are compared after lower(trim()),
  and an empty value is a missing one.
#}
{% macro normalize_text(expression) -%}
    nullif(lower(trim({{ expression }})), '')
{%- endmacro %}

{#
  Booleans as exports spell them: true/false, yes/no, 1/0, si/no (any case).
  Anything else is NULL (unreadable); callers decide the safe default.
#}
{% macro parse_boolean(expression) -%}
    case
        when lower(trim({{ expression }})) in ('true', 'yes', '1', 'si', 'sì', 'y', 't') then true
        when lower(trim({{ expression }})) in ('false', 'no', '0', 'n', 'f') then false
    end
{%- endmacro %}

{# Pseudonymous person key: SHA-256 hex of the normalised address (NULL when there is none). #}
{% macro person_key(normalized_email) -%}
    {{ return(adapter.dispatch('person_key', 'softspam')(normalized_email)) }}
{%- endmacro %}

{% macro spark__person_key(normalized_email) -%}
    sha2({{ normalized_email }}, 256)
{%- endmacro %}

{% macro duckdb__person_key(normalized_email) -%}
    case when {{ normalized_email }} is not null then sha256({{ normalized_email }}) end
{%- endmacro %}
