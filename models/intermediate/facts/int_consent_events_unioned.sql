-- Explicit consent events: consent exports, and Shopify's "Accepts Marketing = yes",
-- an e-mail consent grant at the order's time (one per order).
with

exported as (
    select * from {{ ref('stg_landing__consents') }}
),

shopify_lines as (
    select * from {{ ref('stg_shopify__order_lines') }}
),

shopify_grants as (
    select
        concat('shopify:', order_id) as consent_id,
        'shopify' as source_system,
        min(person_key) as person_key,
        min(email) as email,
        'email' as channel,
        'granted' as status,
        min(ordered_at) as event_at,
        concat('shopify order ', order_id, ' accepts marketing') as evidence_ref,
        -- the order's first row, the one that carries Accepts Marketing
        min_by(load_id, cast(line_id as integer)) as load_id,
        min_by(source_file, cast(line_id as integer)) as source_file,
        min_by(source_line, cast(line_id as integer)) as source_line
    from shopify_lines
    where accepts_marketing and ordered_at is not null
    group by order_id
),

from_exports as (
    select
        consent_id,
        source_system,
        person_key,
        email,
        channel,
        status,
        event_at,
        evidence_ref,
        load_id,
        source_file,
        source_line
    from exported
),

final as (
    select * from from_exports
    union all
    select * from shopify_grants
)

select * from final
