-- Every order line of every sales format, in one shape. A Shopify line takes its category
-- from the catalogue; an unknown SKU qualifies for no category (a data-quality finding).
with

canonical_lines as (
    select * from {{ ref('stg_landing__order_lines') }}
),

shopify_lines as (
    select * from {{ ref('stg_shopify__order_lines') }}
),

catalog as (
    select * from {{ ref('stg_reference__product_catalog') }}
),

canonical_shaped as (
    select
        source_system,
        order_id,
        line_id,
        person_key,
        email,
        product_category,
        product_sku,
        false as has_unknown_sku,
        ordered_at,
        is_paid,
        status,
        privacy_notice_version,
        is_refused_at_collection,
        controller,
        customer_id,
        amount,
        load_id,
        source_file,
        source_line
    from canonical_lines
),

shopify_shaped as (
    select
        shopify_lines.source_system,
        shopify_lines.order_id,
        shopify_lines.line_id,
        shopify_lines.person_key,
        shopify_lines.email,
        catalog.product_category,
        shopify_lines.product_sku,
        catalog.sku is null as has_unknown_sku,
        shopify_lines.ordered_at,
        shopify_lines.is_paid,
        shopify_lines.status,
        cast(null as string) as privacy_notice_version,
        false as is_refused_at_collection,
        lower('{{ var("controller") }}') as controller,
        cast(null as string) as customer_id,
        shopify_lines.amount,
        shopify_lines.load_id,
        shopify_lines.source_file,
        shopify_lines.source_line
    from shopify_lines
    left join catalog
        on shopify_lines.product_sku = catalog.sku
),

unioned as (
    select * from canonical_shaped
    union all
    select * from shopify_shaped
),

final as (
    select
        concat_ws(':', source_system, order_id, line_id) as order_line_id,
        *
    from unioned
)

select * from final
