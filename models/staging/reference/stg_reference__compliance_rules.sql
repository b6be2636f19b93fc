with

chosen as (
    {{ reference_data('compliance_rules', ['rule_code', 'severity', 'legal_reference', 'description']) }}
),

final as (
    select
        upper(trim(rule_code)) as rule_code,
        {{ normalize_text('severity') }} as severity,
        trim(legal_reference) as legal_reference,
        trim(description) as description,
        -- from the rules' registry (macros/compliance_rules.sql), for the evidence packs: the
        -- rule's place in it, whether it is a step of the soft-spam chain, and the kind of
        -- record a violation of it names
        case upper(trim(rule_code))
            {%- for rule in compliance_rules() %}
                when '{{ rule.code }}' then {{ loop.index }}
            {%- endfor %}
        end as rule_order,
        upper(trim(rule_code)) in (
            {%- for rule in compliance_rules() if rule.get('passes') %}
                '{{ rule.code }}'{{ ',' if not loop.last }}
            {%- endfor %}
        ) as is_chain_step,
        case upper(trim(rule_code))
            {%- for rule in compliance_rules() if rule.get('evidence_fact') %}
                when '{{ rule.code }}' then '{{ rule.evidence_fact }}'
            {%- endfor %}
        end as evidence_fact
    from chosen
    where nullif(trim(rule_code), '') is not null
)

select * from final
