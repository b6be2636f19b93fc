-- Qualifying sale lines, one row per category each line allows promoting: the line's own
-- category and its analogous categories. The soft-spam chain reads from here.
with

qualifying_lines as (
    select * from {{ ref('int_order_lines_informed') }}
    where is_qualifying and person_key is not null and product_category is not null
),

analogies as (
    select * from {{ ref('stg_reference__category_analogies') }}
),

promotable as (
    select
        qualifying_lines.order_line_id,
        qualifying_lines.product_category as promotable_category
    from qualifying_lines
    union
    select
        qualifying_lines.order_line_id,
        analogies.analogous_category as promotable_category
    from qualifying_lines
    inner join analogies
        on qualifying_lines.product_category = analogies.category
),

final as (
    select
        qualifying_lines.person_key,
        qualifying_lines.controller,
        promotable.promotable_category,
        qualifying_lines.order_line_id,
        qualifying_lines.product_category,
        qualifying_lines.ordered_at,
        qualifying_lines.is_informed,
        qualifying_lines.resolved_notice_version
    from qualifying_lines
    inner join promotable
        on qualifying_lines.order_line_id = promotable.order_line_id
)

select * from final
