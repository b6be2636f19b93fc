{{ config(materialized='view') }}

-- The earliest objection of each person per coverage class (docs/rules.md sections 3.2 and 3.7): for a
-- send that is not consent-based nothing lifts an objection, so the earliest is the one that
-- covers it from its instant on.
with

oppositions as (
    select * from {{ ref('int_oppositions_expanded') }}
),

earliest as (
    {{ first_of_each('oppositions', ['person_key', 'coverage_class'], 'opposed_at, opposition_id') }}
),

final as (
    select
        person_key,
        coverage_class,
        opposed_at as first_opposed_at,
        opposition_id as first_opposition_id,
        scope as first_scope,
        source_system as first_source_system
    from earliest
)

select * from final
