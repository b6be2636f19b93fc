{#
  Which objection covers which send (docs/rules.md section 3.2, "Covers"), written once: every
  model that asks whether an opposition covers a send, a planned send or an application's
  channel reads it here. Sends fall in three classes; each class lists the scopes covering it.
#}
{% macro opposition_coverage() -%}
    {{ return({
        'email:soft_spam': ['soft_spam', 'email_marketing', 'all_marketing'],
        'email:other': ['email_marketing', 'all_marketing'],
        'other_channel': ['all_marketing'],
    }) }}
{%- endmacro %}

{# The class of a send on `channel` claiming `legal_basis` (SQL expressions). #}
{% macro send_coverage_class(channel, legal_basis) -%}
    case
        when {{ channel }} = 'email' and {{ legal_basis }} = 'soft_spam' then 'email:soft_spam'
        when {{ channel }} = 'email' then 'email:other'
        else 'other_channel'
    end
{%- endmacro %}

{# Whether an opposition of `scope` covers a send of class `coverage_class` (SQL expressions). #}
{% macro scope_covers(scope, coverage_class) -%}
    (
        {%- for class, scopes in opposition_coverage().items() %}
        ({{ coverage_class }} = '{{ class }}' and {{ scope }} in ('{{ scopes | join("', '") }}'))
        {%- if not loop.last %} or{% endif %}
        {%- endfor %}
    )
{%- endmacro %}

{# Whether an opposition of `scope` covers some send on `channel`: any scope on e-mail (it covers
   soft-spam e-mail), only all_marketing elsewhere. What OPPOSED and the suppression lists mean. #}
{% macro scope_covers_channel(scope, channel) -%}
    {{ scope_covers(scope, send_coverage_class(channel, "'soft_spam'")) }}
{%- endmacro %}

{# Whether an opposition of `scope` covers a consent-based send on `channel`. #}
{% macro scope_covers_consent_send(scope, channel) -%}
    {{ scope_covers(scope, send_coverage_class(channel, "'consent'")) }}
{%- endmacro %}
