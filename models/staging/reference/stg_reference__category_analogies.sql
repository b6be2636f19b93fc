-- Pairs (category bought -> category that may be promoted). Every category is analogous to
-- itself; int_order_lines_authorizing adds that pair, so the seed need not list it.
with

chosen as (
    {{ reference_data('category_analogies', ['category', 'analogous_category']) }}
),

final as (
    select distinct
        {{ normalize_text('category') }} as category,
        {{ normalize_text('analogous_category') }} as analogous_category
    from chosen
    where
        {{ normalize_text('category') }} is not null
        and {{ normalize_text('analogous_category') }} is not null
)

select * from final
