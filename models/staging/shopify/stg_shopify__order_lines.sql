-- Shopify "Export orders": one row per line item. Paid, cancelled and refunded are read as
-- docs/formats.md section 1 says; the category comes from the catalogue downstream.
with

latest as (
    -- the table itself rather than a CTE over it: the query reads it three times, and a CTE
    -- read more than once is materialized, every wide row of it
    {{ latest_version(source('shopify', 'shopify_order_lines'), record_identity('shopify_order_lines')) }}
),

renamed as (
    select
        'shopify' as source_system,
        -- the export's Id when it has one (two shops both number their orders #1001), else Name
        {{ shopify_order_key() }} as order_id,
        cast(line_number as string) as line_id,
        trim(order_name) as order_name,
        nullif(trim(order_id), '') as shopify_order_id,
        {{ normalize_text('email') }} as email,
        {{ normalize_text('financial_status') }} as financial_status,
        coalesce({{ parse_boolean('accepts_marketing') }}, false) as accepts_marketing,
        try_cast(replace(trim(total), ',', '.') as decimal(18, 2)) as total_amount,
        created_at as ordered_at,
        cancelled_at,
        nullif(trim(cancelled_at_text), '') as cancelled_at_text,
        nullif(trim(lineitem_sku), '') as product_sku,
        nullif(trim(lineitem_name), '') as product_name,
        nullif(trim(lineitem_quantity), '') as quantity,
        nullif(trim(lineitem_price), '') as amount,
        _load_id as load_id,
        _source_file as source_file,
        _source_line as source_line
    from latest
),

final as (
    select
        *,
        coalesce(
            financial_status in ('paid', 'partially_paid', 'refunded', 'partially_refunded'), false
        )
        and coalesce(total_amount, 0) <> 0 as is_paid,
        -- set means cancelled, even when the value cannot be read (a data-quality finding)
        coalesce(cancelled_at is null and cancelled_at_text is not null, false) as is_cancelled_at_unreadable,
        case
            when cancelled_at is not null or cancelled_at_text is not null then 'cancelled'
            when financial_status in ('refunded', 'partially_refunded') then 'refunded'
            else 'completed'
        end as status,
        {{ person_key('email') }} as person_key
    from renamed
)

select * from final
