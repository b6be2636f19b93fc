{{ config(materialized='view') }}

-- The soft-spam chain's facts per person, controller and promotable category, in one row
-- (docs/rules.md sections 3.3 and 3.10 to 3.13): the first analogous sale, the first and the latest
-- informed one. A send after the latest informed sale is authorized by it; a send between the
-- first and the latest takes an as-of lookup of int_person_informed_sales.
with

authorizations as (
    select * from {{ ref('int_authorizations_expanded') }}
),

informed as (
    select * from authorizations
    where is_informed
),

first_analogous as (
    {{ first_of_each('authorizations', ['person_key', 'controller', 'promotable_category'],
                     'ordered_at, order_line_id') }}
),

latest_informed as (
    {{ first_of_each('informed', ['person_key', 'controller', 'promotable_category'],
                     'ordered_at desc, order_line_id') }}
),

first_informed as (
    select
        person_key,
        controller,
        promotable_category,
        min(ordered_at) as first_informed_at
    from informed
    group by person_key, controller, promotable_category
),

final as (
    select
        first_analogous.person_key,
        first_analogous.controller,
        first_analogous.promotable_category as promoted_category,
        first_analogous.ordered_at as first_analogous_at,
        first_analogous.order_line_id as first_analogous_ref,
        first_analogous.resolved_notice_version as first_analogous_notice,
        first_informed.first_informed_at,
        latest_informed.ordered_at as last_informed_at,
        latest_informed.order_line_id as last_informed_ref
    from first_analogous
    left join first_informed
        on
            first_analogous.person_key = first_informed.person_key
            and first_analogous.controller = first_informed.controller
            and first_analogous.promotable_category = first_informed.promotable_category
    left join latest_informed
        on
            first_analogous.person_key = latest_informed.person_key
            and first_analogous.controller = latest_informed.controller
            and first_analogous.promotable_category = latest_informed.promotable_category
)

select * from final
