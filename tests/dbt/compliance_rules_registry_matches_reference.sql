-- The rules' registry (macros/compliance_rules.sql: verdicts and evidence) and the compliance
-- reference data (seeds/compliance_rules.csv, or the company's own: severity and legal
-- reference) name the same codes. A row names a code that one of them lacks.
with

registered as (
    {%- for rule in compliance_rules() %}
        select '{{ rule.code }}' as rule_code
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

reference as (
    select rule_code from {{ ref('stg_reference__compliance_rules') }}
),

final as (
    select
        coalesce(registered.rule_code, reference.rule_code) as rule_code,
        registered.rule_code is not null as is_registered,
        reference.rule_code is not null as is_in_reference_data
    from registered
    full outer join reference
        on registered.rule_code = reference.rule_code
    where registered.rule_code is null or reference.rule_code is null
)

select * from final
