-- A table rebuilt each run from the incrementally judged sends (int_sends_evaluated): it is
-- small (one row per broken rule), read by every check, test, export and the report.
-- One row per (send, broken rule), naming the rule, its severity and the evidence behind it,
-- generated from the rules' registry (macros/compliance_rules.sql, docs/rules.md section 3).
-- Each rule reads the send's columns itself from the table (no join of the broken rules back to
-- ten million sends; no import CTE either: a CTE read once per rule is materialized, every
-- wide row).
{%- set send_columns -%}
    send_id,
        source_system,
        person_key,
        email,
        campaign_id,
        channel,
        legal_basis,
        promoted_category,
        sent_at,
        controller
{%- endset %}
{%- set rules = compliance_rules() %}

with

rules as (
    select * from {{ ref('stg_reference__compliance_rules') }}
),
{% for rule in rules %}
    {{ rule.code | lower }} as (
        select
            {{ send_columns }},
            '{{ rule.code }}' as rule_code,
            {{ rule.evidence }} as evidence,
            {{ rule.evidence_ref or 'cast(null as ' ~ dbt.type_string() ~ ')' }} as evidence_ref
        from {{ ref('int_sends_evaluated') }}
        where {{ rule_verdict_column(rule) }}
    ),
{% endfor %}
broken_rules as (
    {%- for rule in rules %}
        select * from {{ rule.code | lower }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        broken_rules.send_id,
        broken_rules.source_system,
        broken_rules.rule_code,
        rules.severity,
        broken_rules.person_key,
        broken_rules.email,
        broken_rules.campaign_id,
        broken_rules.channel,
        broken_rules.legal_basis,
        broken_rules.promoted_category,
        broken_rules.sent_at,
        broken_rules.evidence,
        broken_rules.evidence_ref,
        rules.legal_reference,
        broken_rules.controller
    from broken_rules
    left join rules
        on broken_rules.rule_code = rules.rule_code
)

select * from final
