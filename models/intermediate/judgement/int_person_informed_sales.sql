{{ config(materialized='view') }}

-- Every informed analogous sale of each person, controller and promotable category, one per
-- instant (the smallest line id at a shared instant): the right side of the as-of lookup of
-- the latest informed sale before a send (docs/rules.md section 3.12).
with

informed as (
    select * from {{ ref('int_authorizations_expanded') }}
    where is_informed
),

one_per_instant as (
    {{ first_of_each('informed', ['person_key', 'controller', 'promotable_category', 'ordered_at'],
                     'order_line_id') }}
),

final as (
    select
        person_key,
        controller,
        promotable_category as promoted_category,
        ordered_at as informed_at,
        order_line_id as informed_ref
    from one_per_instant
)

select * from final
