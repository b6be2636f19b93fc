with

chosen as (
    {{ reference_data('product_categories', ['category', 'description']) }}
),

final as (
    select distinct
        {{ normalize_text('category') }} as category,
        trim(description) as description
    from chosen
    where {{ normalize_text('category') }} is not null
)

select * from final
