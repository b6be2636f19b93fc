with

chosen as (
    {{ reference_data('compliance_rules', ['rule_code', 'severity', 'legal_reference', 'description']) }}
),

final as (
    select
        upper(trim(rule_code)) as rule_code,
        {{ normalize_text('severity') }} as severity,
        trim(legal_reference) as legal_reference,
        trim(description) as description
    from chosen
    where nullif(trim(rule_code), '') is not null
)

select * from final
