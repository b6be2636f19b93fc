-- The register of soft-spam authorizations: one row per qualifying sale line (paid, not
-- cancelled), with the notice that governed it, whether the buyer refused at checkout, and the
-- compliant soft-spam sends it made lawful.
with

order_lines as (
    select * from {{ ref('int_order_lines_informed') }}
),

evaluated as (
    select * from {{ ref('int_sends_evaluated') }}
),

authorizations as (
    select
        order_line_id as authorization_id,
        person_key,
        email,
        order_id,
        line_id,
        product_category,
        ordered_at as authorized_at,
        resolved_notice_version as privacy_notice_version,
        is_informed,
        is_refused_at_collection,
        source_system,
        controller,
        is_informed and not is_refused_at_collection as is_authorizing
    from order_lines
    where is_qualifying
),

sends_made_lawful as (
    -- the compliant soft-spam sends naming each authorization (docs/rules.md section 3.13)
    select
        lawful_basis_ref as authorization_id,
        count(*) as soft_spam_send_count
    from evaluated
    where legal_basis = 'soft_spam' and lawful_basis_ref is not null
    group by lawful_basis_ref
),

final as (
    select
        authorizations.*,
        coalesce(sends_made_lawful.soft_spam_send_count, 0) as soft_spam_send_count
    from authorizations
    left join sends_made_lawful
        on authorizations.authorization_id = sends_made_lawful.authorization_id
)

select * from final
