with

chosen as (
    {{ reference_data('product_catalog', ['sku', 'product_category']) }}
),

final as (
    select
        trim(sku) as sku,
        {{ normalize_text('product_category') }} as product_category
    from chosen
    where nullif(trim(sku), '') is not null
)

select * from final
