-- The chain of custody holds: every record a verdict names is a fact of the send's person in
-- int_fact_sources, and so has a landed file and line: violations.evidence_ref, of the kind its
-- rule names (stg_reference__compliance_rules.evidence_fact), and sends_checked.lawful_basis_ref,
-- a consent event or a sale line (docs/rules.md section 3.13). A row is a reference that
-- resolves to nothing. Distinct references first: millions of compliant sends name a few
-- authorizations each.
with

quoted as (
    select distinct
        violations.person_key,
        rules.evidence_fact as fact_type,
        violations.evidence_ref as fact_ref,
        'violations' as quoted_in
    from {{ ref('violations') }} as violations
    left join {{ ref('stg_reference__compliance_rules') }} as rules
        on violations.rule_code = rules.rule_code
    where violations.evidence_ref is not null
    union all
    select distinct
        person_key,
        case when legal_basis = 'consent' then 'consent_event' else 'sale_line' end as fact_type,
        lawful_basis_ref as fact_ref,
        'sends_checked' as quoted_in
    from {{ ref('sends_checked') }}
    where lawful_basis_ref is not null
),

facts as (
    select
        person_key,
        fact_type,
        fact_ref
    from {{ ref('int_fact_sources') }}
    where fact_type <> 'send'
),

final as (
    select quoted.*
    from quoted
    where not exists (
            select 1
            from facts
            where
                facts.person_key = quoted.person_key
                and facts.fact_type = quoted.fact_type
                and facts.fact_ref = quoted.fact_ref
        )
)

select * from final
