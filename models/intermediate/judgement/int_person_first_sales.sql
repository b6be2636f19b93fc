{{ config(materialized='view') }}

-- The first qualifying sale (paid, not cancelled) of each person by each controller: the
-- soft-spam chain's first step (docs/rules.md section 3.9) holds from its instant on.
with

qualifying_lines as (
    select * from {{ ref('int_order_lines_informed') }}
    where is_qualifying and person_key is not null
),

earliest as (
    {{ first_of_each('qualifying_lines', ['person_key', 'controller'], 'ordered_at, order_line_id') }}
),

final as (
    select
        person_key,
        controller,
        ordered_at as first_qualifying_at,
        order_line_id as first_qualifying_ref,
        product_category as first_qualifying_category
    from earliest
)

select * from final
