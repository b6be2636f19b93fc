-- Everyone who objected, per scope, with the first time and every application that
-- recorded it: the list that must reach every sending application.
with

oppositions as (
    select * from {{ ref('int_oppositions_unioned') }}
    where person_key is not null and opposed_at <= {{ evaluated_at() }}
),

final as (
    select
        person_key,
        min(email) as email,
        scope,
        min(opposed_at) as first_opposed_at,
        {{ string_agg_distinct('source_system') }} as sources,
        count(*) as opposition_count
    from oppositions
    group by person_key, scope
)

select * from final
