-- The register of soft-spam authorizations: one row per qualifying sale line (paid, not
-- cancelled), with the notice that governed it and whether the buyer refused at checkout.
with

order_lines as (
    select * from {{ ref('int_order_lines_informed') }}
),

final as (
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
)

select * from final
